import type { NativeRow, NativeValue } from 'connectors/sdk/connector.types';
import type { ProbeResult } from 'connectors/sdk/drivers/sis-driver.types';

/** WebSocket path agents dial; authenticated by `Authorization: Bearer <agent token>` at the handshake. */
export const AGENT_CONNECT_PATH = '/api/agent/connect';
export const AGENT_PROTOCOL_VERSION = 1;

/** Agent → server (text frames). Row batches travel as binary frames (gzip JSON lines, see agent-protocol.util). */
export type AgentMessage =
  | {
      type: 'hello';
      protocol: number;
      version: string;
      hostname: string;
      sisKind: string;
      heartbeatIntervalMs: number;
    }
  | { type: 'heartbeat'; probe: ProbeResult }
  | { type: 'end'; requestId: string; rows: number; batches: number }
  | { type: 'error'; requestId: string; code: string; message: string };

/**
 * Server → agent. An extract names a connector entity; the agent runs that connector's own query, never
 * SQL text from the server. `params` are bound values only (schoolYear, asOf …).
 */
export type ServerMessage =
  | { type: 'welcome'; agentId: string; districtId: string }
  | {
      type: 'extract';
      requestId: string;
      sisKind: string;
      entity: string;
      params: Record<string, NativeValue>;
      batchSize: number;
      /** Optional native tables/columns the SIS schema lacks; the agent checks them against its connector. */
      absent?: string[];
    }
  | { type: 'ack'; requestId: string; seq: number }
  | { type: 'cancel'; requestId: string };

export interface BatchFrame {
  requestId: string;
  seq: number;
  rows: NativeRow[];
}
