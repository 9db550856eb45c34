import { Module, type FactoryProvider } from '@nestjs/common';
import { CLOCK, type Clock } from 'src/common/tokens';
import { SqlRunner } from 'src/database/sql-runner';
import { loadSqlParser } from 'src/rule-engine/compiler/sql-parser.util';
import { CustomRulesService } from 'src/rule-engine/custom-rules.service';
import { RuleCompilerService } from 'src/rule-engine/rule-compiler.service';
import { createRuleEngine, RULE_ENGINE, type RuleEngine } from 'src/rule-engine/rule-engine.factory';
import { RuleEvaluatorService } from 'src/rule-engine/rule-evaluator.service';
import { RuleExamplesService } from 'src/rule-engine/rule-examples.service';
import { RuleLoaderService } from 'src/rule-engine/rule-loader.service';
import { RuleResultsRepository } from 'src/rule-engine/rule-results.repository';
import { RuleSelectionService } from 'src/rule-engine/rule-selection.service';

/** One part of the engine, as a provider of its own class. */
function part<K extends keyof RuleEngine>(
  key: K,
  type: abstract new (...args: never[]) => RuleEngine[K],
): FactoryProvider {
  return { provide: type, useFactory: (engine: RuleEngine) => engine[key], inject: [RULE_ENGINE] };
}

/**
 * Rule packs, compiler, evaluator, examples runner and custom rules over the database room's SqlRunner. The
 * engine is assembled once, by createRuleEngine (rule-engine.factory.ts), which non-Nest callers (specs) use too.
 */
@Module({
  providers: [
    {
      provide: RULE_ENGINE,
      // The sql-rule guard parses with libpg-query (WebAssembly): loaded before any rule is compiled.
      useFactory: async (sql: SqlRunner, clock?: Clock): Promise<RuleEngine> => {
        await loadSqlParser();
        return createRuleEngine(sql, { clock });
      },
      inject: [SqlRunner, { token: CLOCK, optional: true }],
    },
    part('loader', RuleLoaderService),
    part('compiler', RuleCompilerService),
    part('results', RuleResultsRepository),
    part('evaluator', RuleEvaluatorService),
    part('selection', RuleSelectionService),
    part('examples', RuleExamplesService),
    part('customRules', CustomRulesService),
  ],
  exports: [
    RULE_ENGINE,
    RuleLoaderService,
    RuleCompilerService,
    RuleResultsRepository,
    RuleEvaluatorService,
    RuleSelectionService,
    RuleExamplesService,
    CustomRulesService,
  ],
})
export class RuleEngineModule {}
