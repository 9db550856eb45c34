import type { Command } from 'commander';
import { CLI_PRINCIPAL, CliContext, out } from 'src/cli/cli-context';
import { orUsageError, uuidArg } from 'src/cli/commands/foundation.command';
import { LinksService } from 'src/districts/links.service';

/** `link list`: the district's links with their transport and agent (LinksService, as the API). */
export async function listLinksCommand(ctx: CliContext, districtId: string): Promise<void> {
  const id = uuidArg(districtId, '--district');
  const links = await orUsageError(
    (await ctx.get(LinksService)).list(CLI_PRINCIPAL, id),
    `district ${districtId} does not exist`,
  );
  for (const l of links)
    out(
      `${l.id}  ${l.role.padEnd(7)}  ${l.sisKind.padEnd(15)}  ${l.transport.padEnd(6)}  ${l.agentId ?? '-'}  ${l.name}`,
    );
}

/** `link bind-agent` / `link unbind-agent`: the API's rules (an agent of the link's district, not revoked). */
export async function bindAgentCommand(
  ctx: CliContext,
  linkId: string,
  agentId: string | null,
): Promise<void> {
  const links = await ctx.get(LinksService);
  const link = await orUsageError(
    links.locate(CLI_PRINCIPAL, uuidArg(linkId, 'the link id')),
    `link ${linkId} does not exist`,
  );
  // The link exists (just located): a "not found" now is the agent's.
  await orUsageError(
    links.bindAgent(
      CLI_PRINCIPAL,
      link.districtId,
      link.id,
      agentId === null ? null : uuidArg(agentId, 'the agent id'),
    ),
    `agent ${agentId} is not a live agent of the link's district`,
  );
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
