import type { EntityExtractSpec, NativeRow } from 'connectors/sdk/connector.types';
import { DEFAULT_BATCH_SIZE } from 'connectors/sdk/drivers/sis-driver.types';
import { NATIVE_SCHEMA_ENTITY, toNativeColumns, type NativeColumn } from 'connectors/sdk/native-schema';
import type { AgentGatewayService } from 'src/agent-gateway/agent-gateway.service';
import type { ExtractParams, RowSource } from 'src/extraction/extraction.types';

/**
 * Extraction through an on-prem agent: asks the agent to run the connector's own extract query for the
 * entity (by SIS kind + entity name, never SQL text) and yields the batches it streams back.
 */
export class AgentRowSource implements RowSource {
  constructor(
    private readonly gateway: AgentGatewayService,
    private readonly agentId: string,
    private readonly sisKind: string,
    private readonly batchSize = DEFAULT_BATCH_SIZE,
  ) {}

  stream(
    spec: EntityExtractSpec,
    params: ExtractParams,
    absent: readonly string[] = [],
  ): AsyncIterable<NativeRow[]> {
    return this.gateway.extract(this.agentId, {
      sisKind: this.sisKind,
      entity: spec.entity,
      params: { ...params },
      batchSize: this.batchSize,
      // Names only: the agent picks its own connector's query without them (never SQL from the server).
      ...(absent.length ? { absent: [...absent] } : {}),
    });
  }

  /** The agent runs its own connector's catalogue query and streams the columns back. */
  async describe(): Promise<NativeColumn[]> {
    const out: NativeColumn[] = [];
    for await (const batch of this.gateway.extract(this.agentId, {
      sisKind: this.sisKind,
      entity: NATIVE_SCHEMA_ENTITY,
      params: {},
      batchSize: this.batchSize,
    }))
      out.push(...toNativeColumns(batch));
    return out;
  }
}
