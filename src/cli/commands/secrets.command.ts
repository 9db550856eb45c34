import type { Command } from 'commander';
import { CliContext, out } from 'src/cli/cli-context';
import { CliUsageError } from 'src/cli/commands/foundation.command';
import { SecretsRotationService } from 'src/districts/secrets-rotation.service';

/** `secrets re-encrypt`: every link credential of SECRETS_KEY_PREVIOUS moved under SECRETS_KEY. */
export async function reencryptCommand(ctx: CliContext): Promise<void> {
  if (!ctx.config.security.SECRETS_KEY_PREVIOUS)
    throw new CliUsageError(
      'SECRETS_KEY_PREVIOUS is not set: set it to the key being retired and SECRETS_KEY to the new one',
    );
  const r = await (await ctx.get(SecretsRotationService)).reencryptAll();
  out(
    `${r.checked} link secrets checked: ${r.reencrypted} re-encrypted under the current key, ${r.alreadyCurrent} already current` +
      (r.changedMeanwhile > 0 ? `, ${r.changedMeanwhile} changed meanwhile through the API` : ''),
  );
  for (const u of r.unreadable)
    out(`unreadable: link ${u.linkId} (${u.linkName}) of district ${u.districtId}: enter its password again`);
  if (r.unreadable.length > 0)
    throw new CliUsageError(`${r.unreadable.length} link secrets open with neither key (listed above)`);
}

export function registerSecretsCommands(
  program: Command,
  run: (fn: (ctx: CliContext) => Promise<void>) => Promise<void>,
): void {
  const secrets = program.command('secrets').description('secrets at rest (SIS link credentials)');
  secrets
    .command('re-encrypt')
    .description(
      'key rotation: re-encrypt every link credential of SECRETS_KEY_PREVIOUS under SECRETS_KEY (idempotent)',
    )
    .action(() => run((ctx) => reencryptCommand(ctx)));
}
