import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { CliContext } from 'src/cli/cli-context';
import { registerCommands } from 'src/cli/commands';
import { errorText } from 'src/common/error-text.util';
import { loadSqlParser } from 'src/rule-engine/compiler/sql-parser.util';

/** `sis-certify` — administration, data generation, rules, runs and the on-premises agent. */
export function buildProgram(): Command {
  const program = new Command('sis-certify')
    .description('Certify the data quality of a district SIS, before, during and after an SIS migration.')
    .showHelpAfterError()
    .exitOverride();
  const run = async (fn: (ctx: CliContext) => Promise<void>): Promise<void> => {
    const ctx = new CliContext();
    try {
      await fn(ctx);
    } finally {
      await ctx.close();
    }
  };
  registerCommands(program, run);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await loadSqlParser();
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    const message = errorText(err);
    process.stderr.write(`error: ${message}\n`);
    process.exitCode = 1;
  }
}
