import type { Command } from 'commander';
import { runAgent } from 'src/agent/agent.main';

/** The on-premises agent: runs in the district's network and dials out to the service. */
export function registerAgentCommand(program: Command): void {
  program
    .command('agent')
    .description(
      "run the on-premises agent: dial out to the service over WebSocket and serve extractions from the district's SIS",
    )
    .requiredOption('--server <url>', 'sis-certify server, e.g. https://certify.example.org')
    .option('--token <token>', 'agent token (or SIS_CERTIFY_AGENT_TOKEN)')
    .requiredOption(
      '--config <file>',
      'JSON or YAML file: sis kind and database connection (password or SIS_CERTIFY_AGENT_PASSWORD)',
    )
    .action(async (o: { server: string; token?: string; config: string }) => {
      const token = o.token ?? process.env.SIS_CERTIFY_AGENT_TOKEN;
      if (!token) throw new Error('--token or SIS_CERTIFY_AGENT_TOKEN is required');
      const agent = runAgent({ server: o.server, token, config: o.config });
      await new Promise<void>((resolve) => {
        const stop = (): void => void agent.stop().then(resolve);
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}
