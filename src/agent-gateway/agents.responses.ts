import { ApiProperty } from '@nestjs/swagger';
import type { AgentView, AgentWithToken } from 'src/agent-gateway/agents.service';

export class AgentViewDto implements AgentView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) districtId: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'first characters of the token, to recognise it' }) tokenPrefix: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ type: Date, nullable: true }) rotatedAt: Date | null;
  @ApiProperty({ type: Date, nullable: true }) revokedAt: Date | null;
  @ApiProperty({ example: 'UP' }) state: string;
  @ApiProperty() stateSince: Date;
  @ApiProperty() connected: boolean;
  @ApiProperty({ type: Date, nullable: true }) lastHeartbeatAt: Date | null;
  @ApiProperty({ type: Boolean, nullable: true }) lastProbeOk: boolean | null;
  @ApiProperty({ type: Number, nullable: true }) lastProbeLatencyMs: number | null;
  @ApiProperty({ type: String, nullable: true }) lastProbeError: string | null;
  @ApiProperty({ type: String, nullable: true }) version: string | null;
  @ApiProperty({ type: String, nullable: true }) hostname: string | null;
}

export class AgentWithTokenDto implements AgentWithToken {
  @ApiProperty({ type: AgentViewDto }) agent: AgentViewDto;
  @ApiProperty({ description: 'the agent token in clear: shown in this response only' }) token: string;
}
