import type { DynamicModule } from '@nestjs/common';
import type { AppConfig } from 'src/config/config.service';
import { AgentGatewayModule } from 'src/agent-gateway/agent-gateway.module';
import { RunsModule } from 'src/runs/runs.module';

/** Feature modules beyond the foundation, by process role (api | worker | all). */
export function featureModules(config: AppConfig): NonNullable<DynamicModule['imports']> {
  // RunsModule: API in every role; run workers and the nightly scheduler by SIS_CERTIFY_ROLE (see run-queue.service).
  const agents = AgentGatewayModule.forRoot(config);
  return [agents, RunsModule.forRoot({ imports: [agents] })];
}
