import type { Command } from 'commander';
import { out } from 'src/cli/cli-context';
import type { CliRunner } from 'src/cli/commands';
import { CliUsageError } from 'src/cli/commands/foundation.command';
import { EDITIONS, SIS_KINDS, US_STATES } from 'src/districts/district.types';
import { RuleExamplesService } from 'src/rule-engine/rule-examples.service';
import { createRuleSelection } from 'src/rule-engine/rule-engine.factory';
import { formatRuleDiff, formatRuleList } from 'src/rule-engine/rule-format.util';
import { RuleLoaderService } from 'src/rule-engine/rule-loader.service';
import { extensionNotes, type RuleSelectionService } from 'src/rule-engine/rule-selection.service';
import { formatLoadError } from 'src/rule-engine/rule.types';

function oneOf(name: string, value: string, allowed: readonly string[]): string {
  if (!allowed.includes(value))
    throw new CliUsageError(`--${name} must be one of ${allowed.join(', ')} (got '${value}')`);
  return value;
}

/**
 * Load errors are reported, never fatal for the other packs. `rules list` and `rules diff` read only the rule
 * packs (no database, so no application context): the engine factory's selection part.
 */
function loadSelection(): RuleSelectionService {
  const { loader, selection } = createRuleSelection();
  for (const e of loader.load().errors) process.stderr.write(`warning: ${formatLoadError(e)}\n`);
  return selection;
}

export function registerRulesCommands(program: Command, run: CliRunner): void {
  const rules = program.command('rules').description('rule packs: which rules run where, and their examples');

  rules
    .command('list')
    .description(
      'the rules that run for a state and SIS, and those excluded because the connector lacks fields',
    )
    .requiredOption('--state <state>', `state: ${US_STATES.join(', ')}`)
    .requiredOption('--sis <sis>', `SIS: ${SIS_KINDS.join(', ')}`)
    .option('--edition <edition>', `edition: ${EDITIONS.join(', ')}`, 'full')
    .action((o: { state: string; sis: string; edition: string }) => {
      const state = oneOf('state', o.state.toUpperCase(), US_STATES);
      const sisKind = oneOf('sis', o.sis, SIS_KINDS);
      const selection = loadSelection().selectForSis({
        state,
        sisKind,
        edition: oneOf('edition', o.edition, EDITIONS),
      });
      const notes = extensionNotes(selection.selected, sisKind, state);
      out(formatRuleList(selection, `Rules for ${state} on ${o.sis} (${o.edition})`, notes));
    });

  rules
    .command('diff')
    .description('rules gained and lost when a district changes SIS, naming the missing fields')
    .requiredOption('--state <state>', `state: ${US_STATES.join(', ')}`)
    .requiredOption('--from <sis>', 'the SIS the district runs today')
    .requiredOption('--to <sis>', 'the SIS it is moving to')
    .option('--edition <edition>', `edition: ${EDITIONS.join(', ')}`, 'full')
    .action((o: { state: string; from: string; to: string; edition: string }) => {
      const state = oneOf('state', o.state.toUpperCase(), US_STATES);
      const diff = loadSelection().diffForSis({
        state,
        edition: oneOf('edition', o.edition, EDITIONS),
        from: oneOf('from', o.from, SIS_KINDS),
        to: oneOf('to', o.to, SIS_KINDS),
      });
      out(formatRuleDiff(diff, `Moving ${state} from ${o.from} to ${o.to}`));
    });

  rules
    .command('test')
    .description(
      "run every rule's examples through the compiled SQL (DATABASE_URL, or the embedded database)",
    )
    .option('--rule <id>', 'only this rule')
    .action((o: { rule?: string }) =>
      run(async (ctx) => {
        const { rules: all, errors } = (await ctx.get(RuleLoaderService)).load();
        for (const e of errors) out(`INVALID ${formatLoadError(e)}`);
        const rules = o.rule ? all.filter((r) => r.id === o.rule) : all;
        if (o.rule && rules.length === 0) throw new CliUsageError(`no rule ${o.rule}`);
        const outcomes = await (await ctx.get(RuleExamplesService)).run(rules);
        const failed = outcomes.filter((x) => !x.ok);
        for (const f of failed) for (const msg of f.failures) out(`FAIL ${f.ruleId} (${f.file}): ${msg}`);
        const cases = outcomes.reduce((n, x) => n + x.cases.length, 0);
        out(
          `${outcomes.length - failed.length}/${outcomes.length} rules passed (${cases} examples); ${errors.length} invalid`,
        );
        if (failed.length > 0 || errors.length > 0) process.exitCode = 1;
      }),
    );
}
