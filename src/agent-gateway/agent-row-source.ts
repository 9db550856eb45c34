import type { EntityExtractSpec, NativeRow } from 'connectors/sdk/connector.types';
import { DEFAULT_BATCH_SIZE } from 'connectors/sdk/drivers/sis-driver.types';
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

  stream(spec: EntityExtractSpec, params: ExtractParams): AsyncIterable<NativeRow[]> {
    return this.gateway.extract(this.agentId, {
      sisKind: this.sisKind,
      entity: spec.entity,
      params: { ...params },
      batchSize: this.batchSize,
    });
  }
}
