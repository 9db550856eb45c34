import type { Command } from 'commander';
import type { CliContext } from 'src/cli/cli-context';
import { registerFoundationCommands } from 'src/cli/commands/foundation.command';

export type CliRunner = (fn: (ctx: CliContext) => Promise<void>) => Promise<void>;

export function registerCommands(program: Command, run: CliRunner): void {
  registerFoundationCommands(program, run);
}
