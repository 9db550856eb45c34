import type { Command } from 'commander';
import type { CliContext } from 'src/cli/cli-context';
import { registerAgentCommand } from 'src/cli/commands/agent.command';
import { registerFoundationCommands } from 'src/cli/commands/foundation.command';
import { registerGenerateCommand } from 'src/cli/commands/generate.command';
import { registerLinkCommands } from 'src/cli/commands/link.command';
import { registerReferenceCommands } from 'src/cli/commands/reference.command';
import { registerRulesCommands } from 'src/cli/commands/rules.command';
import { registerSecretsCommands } from 'src/cli/commands/secrets.command';
import { registerCrosswalkCommands } from 'src/comparison/id-crosswalk.cli';
import { registerRunCommands } from 'src/runs/runs.cli';

export type CliRunner = (fn: (ctx: CliContext) => Promise<void>) => Promise<void>;

export function registerCommands(program: Command, run: CliRunner): void {
  registerFoundationCommands(program, run);
  registerGenerateCommand(program);
  registerRulesCommands(program, run);
  registerLinkCommands(program, run);
  registerReferenceCommands(program, run);
  registerAgentCommand(program);
  registerRunCommands(program, run);
  registerCrosswalkCommands(program, run);
  registerSecretsCommands(program, run);
}
