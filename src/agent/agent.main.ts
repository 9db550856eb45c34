import { Command } from 'commander';
import type { ConnectorDefinition } from 'connectors/sdk/connector.types';
import { getConnector } from 'connectors/index';
import { loadAgentConfig, type AgentConfig } from 'src/agent/agent-config';
import { AgentClient, type AgentLog } from 'src/agent/agent.client';

export interface RunAgentOptions {
  /** Base URL of the sis-certify server (https://…) or the full ws(s):// endpoint. */
  server: string;
  token: string;
  /** A parsed config, or the path of a JSON/YAML config file. */
  config: AgentConfig | string;
  /** Connector lookup; defaults to the bundled connectors. Tests pass a fixture connector. */
  connector?: (kind: string) => ConnectorDefinition;
  log?: AgentLog;
}

export interface AgentHandle {
  readonly connected: boolean;
  /** Resolves once the first connection is established. */
  readonly firstConnection: Promise<void>;
  stop(): Promise<void>;
}

const stderrLog: AgentLog = {
  info: (m) => process.stderr.write(`[sis-certify agent] ${new Date().toISOString()} ${m}\n`),
  warn: (m) => process.stderr.write(`[sis-certify agent] ${new Date().toISOString()} WARN ${m}\n`),
};

/** Starts the agent; it keeps (re)connecting until stop(). `sis-certify agent --server URL --token T --config FILE`. */
export function runAgent(o: RunAgentOptions): AgentHandle {
  const config = typeof o.config === 'string' ? loadAgentConfig(o.config) : o.config;
  const client = new AgentClient({
    server: o.server,
    token: o.token,
    config,
    connector: o.connector ?? getConnector,
    log: o.log ?? stderrLog,
  });
  client.start();
  return {
    get connected() {
      return client.connected;
    },
    firstConnection: client.connectedEver,
    stop: () => client.stop(),
  };
}

/** Standalone entry: `node agent.main.js --server URL --token T --config FILE` (token also from SIS_CERTIFY_AGENT_TOKEN). */
export function main(argv: string[]): void {
  const program = new Command('sis-certify-agent')
    .requiredOption('--server <url>', 'sis-certify server URL, e.g. https://certify.example.org')
    .option('--token <token>', 'agent token (or SIS_CERTIFY_AGENT_TOKEN)')
    .requiredOption('--config <file>', 'agent config file (JSON or YAML)')
    .parse(argv);
  const opts = program.opts<{ server: string; token?: string; config: string }>();
  const token = opts.token ?? process.env.SIS_CERTIFY_AGENT_TOKEN;
  if (!token) {
    process.stderr.write('an agent token is required (--token or SIS_CERTIFY_AGENT_TOKEN)\n');
    process.exit(2);
  }
  const handle = runAgent({ server: opts.server, token, config: opts.config });
  const shutdown = (): void => void handle.stop().then(() => process.exit(0));
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

if (require.main === module) main(process.argv);
