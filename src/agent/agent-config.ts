import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { DRIVER_KINDS, SIS_KINDS, type DriverKind } from 'src/districts/district.types';
import type { LinkConnectionSettings } from 'src/districts/sis-link.entity';

/** The agent's own configuration file (JSON or YAML): which SIS, how to reach its database, tuning. */
export interface AgentConfig {
  sisKind: string;
  /** Connection settings as for a direct link (driver, host, port, database, schema, user, timeouts). */
  connection: LinkConnectionSettings;
  /** Database password; SIS_CERTIFY_AGENT_PASSWORD in the environment wins (keeps it out of the file). */
  password?: string;
  heartbeatIntervalMs?: number;
  reconnect?: { baseMs?: number; capMs?: number };
  /** Unacknowledged row batches allowed in flight per extract stream. */
  maxInFlightBatches?: number;
  /** wss: trust this CA file in addition to the system store; rejectUnauthorized=false only for labs. */
  tls?: { caFile?: string; rejectUnauthorized?: boolean };
}

export class AgentConfigError extends Error {}

export function parseAgentConfig(text: string, fileName = 'config'): AgentConfig {
  const raw: unknown = /\.json$/i.test(fileName) ? JSON.parse(text) : parseYaml(text);
  if (raw === null || typeof raw !== 'object') throw new AgentConfigError(`${fileName}: expected an object`);
  const c = raw as Partial<AgentConfig>;
  const problems: string[] = [];
  if (!c.sisKind || !(SIS_KINDS as readonly string[]).includes(c.sisKind))
    problems.push(`sisKind must be one of ${SIS_KINDS.join(', ')}`);
  if (!c.connection || !(DRIVER_KINDS as readonly string[]).includes(c.connection.driver)) {
    problems.push(`connection.driver must be one of ${DRIVER_KINDS.join(', ')}`);
  }
  for (const k of ['heartbeatIntervalMs', 'maxInFlightBatches'] as const) {
    const v = c[k];
    if (v !== undefined && (typeof v !== 'number' || v <= 0)) problems.push(`${k} must be a positive number`);
  }
  if (problems.length > 0) throw new AgentConfigError(`${fileName}: ${problems.join('; ')}`);
  return {
    ...c,
    connection: {
      ...(c.connection as LinkConnectionSettings),
      driver: (c.connection as LinkConnectionSettings).driver as DriverKind,
    },
  } as AgentConfig;
}

export function loadAgentConfig(path: string, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const config = parseAgentConfig(readFileSync(path, 'utf8'), path);
  const password = env.SIS_CERTIFY_AGENT_PASSWORD;
  return password ? { ...config, password } : config;
}
