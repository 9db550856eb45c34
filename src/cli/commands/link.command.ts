import type { Command } from 'commander';
import { TenantScope } from 'src/auth/tenant-scope';
import { CliContext, out } from 'src/cli/cli-context';
import { CliUsageError } from 'src/cli/commands/foundation.command';
import { LinksRepository } from 'src/districts/links.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuid(value: string, what: string): string {
  if (!UUID.test(value)) throw new CliUsageError(`${what} must be a UUID`);
  return value;
}

/** `link list`: the district's links with their transport and agent. */
export async function listLinksCommand(ctx: CliContext, districtId: string): Promise<void> {
  const repo = new LinksRepository(await ctx.dataSource());
  const links = await repo.list(TenantScope.system(), uuid(districtId, '--district'));
  for (const l of links)
    out(
      `${l.id}  ${l.role.padEnd(7)}  ${l.sisKind.padEnd(15)}  ${l.transport.padEnd(6)}  ${l.agentId ?? '-'}  ${l.name}`,
    );
}

/** `link bind-agent` / `link unbind-agent`: the same rules as the API (an agent of the link's district, not revoked). */
export async function bindAgentCommand(
  ctx: CliContext,
  linkId: string,
  agentId: string | null,
): Promise<void> {
  const repo = new LinksRepository(await ctx.dataSource());
  const link = await repo.findById(uuid(linkId, 'the link id'));
  if (!link) throw new CliUsageError(`link ${linkId} does not exist`);
  const outcome = await repo.bindAgent(
    TenantScope.system(),
    link.districtId,
    link.id,
    agentId === null ? null : uuid(agentId, 'the agent id'),
  );
  if (outcome === 'no_agent')
    throw new CliUsageError(`agent ${agentId} is not a live agent of the link's district`);
  if (outcome === 'no_link') throw new CliUsageError(`link ${linkId} does not exist`);
  out(
    agentId
      ? `link ${link.id} (${link.name}) now extracts through agent ${agentId}`
      : `link ${link.id} (${link.name}) is direct again`,
  );
}

export function registerLinkCommands(
  program: Command,
  run: (fn: (ctx: CliContext) => Promise<void>) => Promise<void>,
): void {
  const link = program.command('link').description("a district's SIS links");
  link
    .command('list')
    .description('list the links of a district: id, role, SIS, transport, agent, name')
    .requiredOption('--district <id>', 'district id')
    .action((o: { district: string }) => run((ctx) => listLinksCommand(ctx, o.district)));
  link
    .command('bind-agent')
    .description('extract a link through an on-premises agent of its district')
    .argument('<linkId>', 'the link')
    .argument('<agentId>', 'the agent (see GET /api/districts/{districtId}/agents)')
    .action((linkId: string, agentId: string) => run((ctx) => bindAgentCommand(ctx, linkId, agentId)));
  link
    .command('unbind-agent')
    .description('extract a link directly again')
    .argument('<linkId>', 'the link')
    .action((linkId: string) => run((ctx) => bindAgentCommand(ctx, linkId, null)));
}
