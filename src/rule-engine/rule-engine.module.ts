import { Module } from '@nestjs/common';
import { CustomRulesRepository } from 'src/rule-engine/custom-rules.repository';
import { CustomRulesService } from 'src/rule-engine/custom-rules.service';
import { RuleCompilerService } from 'src/rule-engine/rule-compiler.service';
import { RuleEvaluatorService } from 'src/rule-engine/rule-evaluator.service';
import { RuleExamplesRepository } from 'src/rule-engine/rule-examples.repository';
import { RuleExamplesService } from 'src/rule-engine/rule-examples.service';
import { RuleExecutionRepository } from 'src/rule-engine/rule-execution.repository';
import { RuleLoaderService } from 'src/rule-engine/rule-loader.service';
import { loadSqlParser } from 'src/rule-engine/compiler/sql-parser.util';
import { RuleResultsRepository } from 'src/rule-engine/rule-results.repository';
import { RuleSelectionService } from 'src/rule-engine/rule-selection.service';

/** Rule packs, compiler, evaluator, examples runner and custom rules over the database room's SqlRunner. */
@Module({
  providers: [
    {
      provide: RuleLoaderService,
      // The sql-rule guard parses with libpg-query (WebAssembly): loaded before any rule is compiled.
      useFactory: async () => {
        await loadSqlParser();
        return new RuleLoaderService();
      },
    },
    RuleCompilerService,
    RuleResultsRepository,
    RuleExecutionRepository,
    RuleExamplesRepository,
    CustomRulesRepository,
    RuleEvaluatorService,
    RuleSelectionService,
    RuleExamplesService,
    CustomRulesService,
  ],
  exports: [
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
