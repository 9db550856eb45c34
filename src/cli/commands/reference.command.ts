import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { CLI_PRINCIPAL, out } from 'src/cli/cli-context';
import { errorText } from 'src/common/error-text.util';
import type { CliRunner } from 'src/cli/commands';
import { CliUsageError } from 'src/cli/commands/foundation.command';
import { US_STATES } from 'src/districts/district.types';
import { DIRECTORY_FORMATS } from 'src/reference-data/directory-formats';
import { StateDirectoryService } from 'src/reference-data/state-directory.service';

export function registerReferenceCommands(program: Command, run: CliRunner): void {
  const reference = program
    .command('reference')
    .description("the state's reference data: its public school directory");

  reference
    .command('load')
    .description(
      "load (replace) a state's school directory from its public file, e.g. CDE's pubschls.txt for CA",
    )
    .requiredOption('--state <state>', `state: ${US_STATES.join(', ')}`)
    .requiredOption('--file <path>', 'the directory file as downloaded from the state')
    .option(
      '--format <format>',
      `file format: ${Object.keys(DIRECTORY_FORMATS).join(', ')} (default: the state's)`,
    )
    .action((o: { state: string; file: string; format?: string }) =>
      run(async (ctx) => {
        const state = o.state.toUpperCase();
        if (!(US_STATES as readonly string[]).includes(state))
          throw new CliUsageError(`--state must be one of ${US_STATES.join(', ')} (got '${o.state}')`);
        let content: string;
        try {
          content = await readFile(o.file, 'utf8');
        } catch (err) {
          throw new CliUsageError(`cannot read ${o.file}: ${errorText(err)}`);
        }
        // The API's load (its 1 MB body limit aside: a state's file is larger), recorded as loaded by the CLI.
        const report = await (
          await ctx.get(StateDirectoryService)
        ).load(CLI_PRINCIPAL, { state, format: o.format, fileName: basename(o.file), content });
        for (const p of report.problems.slice(0, 50)) out(`line ${p.line}: ${p.message}`);
        if (report.problems.length > 50) out(`… ${report.problems.length - 50} more problems`);
        out(
          `${report.state} school directory loaded from ${report.sourceFile} (${report.format}): ${report.rowsLoaded} schools, ${report.rowsRejected} problem line(s)`,
        );
      }),
    );
}
