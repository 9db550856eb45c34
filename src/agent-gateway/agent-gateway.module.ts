import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from 'src/config/config.service';
import { ConnectivityModule } from 'src/connectivity/connectivity.module';
import { AgentGatewayService } from 'src/agent-gateway/agent-gateway.service';
import { AgentsController } from 'src/agent-gateway/agents.controller';
import { AgentsService } from 'src/agent-gateway/agents.service';

/** WebSocket endpoint for on-prem agents and their administration API. */
@Module({})
export class AgentGatewayModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AgentGatewayModule,
      imports: [ConnectivityModule.forRoot(config)],
      controllers: [AgentsController],
      providers: [AgentGatewayService, AgentsService],
      exports: [AgentGatewayService],
    };
  }
}
