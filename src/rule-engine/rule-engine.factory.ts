import type { Pool } from 'pg';
import { CustomRulesRepository } from 'src/rule-engine/custom-rules.repository';
import { CustomRulesService } from 'src/rule-engine/custom-rules.service';
import { RuleCompilerService } from 'src/rule-engine/rule-compiler.service';
import { RuleEvaluatorService } from 'src/rule-engine/rule-evaluator.service';
import { RuleExamplesRepository } from 'src/rule-engine/rule-examples.repository';
import { RuleExamplesService } from 'src/rule-engine/rule-examples.service';
import { RuleExecutionRepository } from 'src/rule-engine/rule-execution.repository';
import { RuleLoaderService } from 'src/rule-engine/rule-loader.service';
import { RuleResultsRepository } from 'src/rule-engine/rule-results.repository';
import { RuleSelectionService } from 'src/rule-engine/rule-selection.service';
import { PoolSqlRunner, SqlRunner } from 'src/database/sql-runner';
import { SnapshotsRepository } from 'src/snapshots/snapshots.repository';
import type { Clock } from 'src/common/tokens';

/** The assembled engine (Nest token; its parts are also provided by their own classes). */
export const RULE_ENGINE = Symbol('RULE_ENGINE');

export interface RuleEngine {
  sql: SqlRunner;
  loader: RuleLoaderService;
  compiler: RuleCompilerService;
  results: RuleResultsRepository;
  evaluator: RuleEvaluatorService;
  selection: RuleSelectionService;
  examples: RuleExamplesService;
  customRules: CustomRulesService;
}

/** The engine's rule packs and selection alone (no database): `rules list` / `rules diff`, and createRuleEngine. */
export function createRuleSelection(rulesDir?: string): {
  loader: RuleLoaderService;
  selection: RuleSelectionService;
} {
  const loader = new RuleLoaderService(rulesDir);
  return { loader, selection: new RuleSelectionService(loader) };
}

/**
 * The one assembly of the rule engine: RuleEngineModule provides its result (over the database room's
 * SqlRunner), and specs without Nest call it over a pg Pool or any SqlRunner.
 */
export function createRuleEngine(
  db: Pool | SqlRunner,
  opts: { rulesDir?: string; clock?: Clock } = {},
): RuleEngine {
  const sql = 'transaction' in db ? db : new PoolSqlRunner(db);
  const { loader, selection } = createRuleSelection(opts.rulesDir);
  const results = new RuleResultsRepository(sql);
  const execution = new RuleExecutionRepository(sql);
  const evaluator = new RuleEvaluatorService(results, execution, opts.clock);
  const examples = new RuleExamplesService(
    new RuleExamplesRepository(sql),
    evaluator,
    new SnapshotsRepository(sql),
  );
  return {
    sql,
    loader,
    compiler: new RuleCompilerService(),
    results,
    evaluator,
    selection,
    examples,
    customRules: new CustomRulesService(new CustomRulesRepository(sql), loader, execution, examples),
  };
}
