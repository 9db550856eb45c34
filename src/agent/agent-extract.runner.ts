import type { ConnectorDefinition, NativeValue } from 'connectors/sdk/connector.types';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import { createLinkDriver } from 'connectors/sdk/drivers/link-driver';
import { DIALECT_OF_DRIVER } from 'connectors/sdk/drivers/sis-driver.types';
import {
  NATIVE_SCHEMA_ENTITY,
  nativeSchemaSql,
  nativeTablesOf,
  queryFor,
} from 'connectors/sdk/native-schema';
import type { ServerMessage } from 'src/agent-gateway/agent-protocol.types';
import { encodeBatch } from 'src/agent-gateway/agent-protocol.util';
import type { AgentConfig } from 'src/agent/agent-config';
import { errorText } from 'src/common/error-text.util';

type ExtractMessage = Extract<ServerMessage, { type: 'extract' }>;

export interface ExtractTransport {
  sendBinary(frame: Buffer): Promise<void>;
  sendText(text: string): void;
  readonly open: boolean;
}

/**
 * Serves one extract request: finds the connector's OWN query for the requested entity (the server only
 * names the entity), runs it through the local driver and streams batches, keeping at most
 * `maxInFlight` unacknowledged.
 */
export class AgentExtractRunner {
  private inFlight = 0;
  private cancelled = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly msg: ExtractMessage,
    private readonly config: AgentConfig,
    private readonly connector: (kind: string) => ConnectorDefinition,
    /** Labels errors (`agent aeries`). */
    private readonly linkName: string,
    private readonly io: ExtractTransport,
    private readonly maxInFlight: number,
  ) {}

  ack(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.wakeUp();
  }

  cancel(): void {
    this.cancelled = true;
    this.wakeUp();
  }

  async run(): Promise<void> {
    const { requestId } = this.msg;
    // The server's schoolYear picks the per-year database of an Aeries `databasePattern`, as for a direct link.
    const schoolYear =
      typeof this.msg.params.schoolYear === 'number' ? this.msg.params.schoolYear : undefined;
    const driver = createLinkDriver(this.linkName, this.config.connection, this.config.password, {
      schoolYear,
    });
    let rows = 0;
    let seq = 0;
    try {
      const sql = this.querySql(DIALECT_OF_DRIVER[this.config.connection.driver]);
      for await (const batch of driver.stream(sql, this.params(), { batchSize: this.msg.batchSize })) {
        await this.waitForWindow();
        if (this.cancelled) return;
        seq += 1;
        this.inFlight += 1;
        await this.io.sendBinary(await encodeBatch({ requestId, seq, rows: batch }));
        rows += batch.length;
      }
      this.io.sendText(JSON.stringify({ type: 'end', requestId, rows, batches: seq }));
    } catch (err) {
      if (this.cancelled || !this.io.open) return;
      const code = err instanceof ConnectorException ? err.code : ConnectorErrorCode.UNKNOWN;
      const message = errorText(err);
      this.io.sendText(JSON.stringify({ type: 'error', requestId, code, message }));
    } finally {
      await driver.close();
    }
  }

  private querySql(dialect: ConnectorDefinition['dialect']): string {
    if (this.msg.sisKind !== this.config.sisKind) {
      throw new ConnectorException(
        ConnectorErrorCode.QUERY_FAILED,
        this.linkName,
        `this agent serves ${this.config.sisKind}, not ${this.msg.sisKind}`,
      );
    }
    const connector = this.connector(this.config.sisKind);
    // Schema discovery: the catalogue query over this connector's own tables.
    if (this.msg.entity === NATIVE_SCHEMA_ENTITY) {
      const sql = nativeSchemaSql(dialect, nativeTablesOf(connector));
      if (sql === null)
        throw new ConnectorException(
          ConnectorErrorCode.QUERY_FAILED,
          this.linkName,
          `the ${dialect} source has no schema catalogue`,
        );
      return sql;
    }
    const spec = connector.entities.find((e) => e.entity === this.msg.entity);
    if (!spec)
      throw new ConnectorException(
        ConnectorErrorCode.QUERY_FAILED,
        this.linkName,
        `the ${this.config.sisKind} connector has no entity ${this.msg.entity}`,
      );
    const absent = this.msg.absent ?? [];
    const declared = new Set((spec.native?.optional ?? []).map((o) => o.name));
    const unknown = absent.filter((n) => !declared.has(n));
    // Only names the connector declares optional for this entity; anything else is refused, not interpreted.
    if (unknown.length)
      throw new ConnectorException(
        ConnectorErrorCode.QUERY_FAILED,
        this.linkName,
        `the ${this.config.sisKind} connector's ${spec.entity} has no optional native name ${unknown.join(', ')}`,
      );
    const query = queryFor(spec, absent);
    return query.variants?.[dialect] ?? query.sql;
  }

  /** Only scalar values are bound; anything else in the request is refused rather than interpreted. */
  private params(): Record<string, NativeValue> {
    const out: Record<string, NativeValue> = {};
    for (const [k, v] of Object.entries(this.msg.params)) {
      if (v !== null && !['string', 'number', 'boolean'].includes(typeof v) && !(v instanceof Date)) {
        throw new ConnectorException(
          ConnectorErrorCode.QUERY_FAILED,
          this.linkName,
          `parameter ${k} is not a scalar`,
        );
      }
      out[k] = v;
    }
    return out;
  }

  private async waitForWindow(): Promise<void> {
    while (this.inFlight >= this.maxInFlight && !this.cancelled && this.io.open) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (!this.io.open) this.cancelled = true;
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
