import { ApiProperty } from '@nestjs/swagger';
import { LINK_STATES, type LinkState } from 'src/connectivity/link-state.machine';
import type { MaintenanceWindowView, SilenceView } from 'src/connectivity/maintenance.service';
import type {
  AgentStatusView,
  DistrictStatusView,
  IncidentView,
  LinkStatusView,
  UptimeView,
} from 'src/connectivity/status.service';

export class MaintenanceWindowViewDto implements MaintenanceWindowView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) districtId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null = every link' })
  linkId: string | null;
  @ApiProperty() startsAt: Date;
  @ApiProperty() endsAt: Date;
  @ApiProperty() reason: string;
  @ApiProperty() active: boolean;
}

export class SilenceViewDto implements SilenceView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) districtId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) linkId: string | null;
  @ApiProperty() startsAt: Date;
  @ApiProperty() endsAt: Date;
  @ApiProperty() comment: string;
  @ApiProperty() active: boolean;
}

export class UptimeViewDto implements UptimeView {
  @ApiProperty({ type: Number, nullable: true, description: 'share of the last 24 h up, 0..1' })
  h24: number | null;
  @ApiProperty({ type: Number, nullable: true }) d7: number | null;
  @ApiProperty({ type: Number, nullable: true }) d30: number | null;
}

export class OpenIncidentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() openedAt: Date;
  @ApiProperty() causeCode: string;
}

export class LinkStatusViewDto implements LinkStatusView {
  @ApiProperty({ format: 'uuid' }) linkId: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'current' }) role: string;
  @ApiProperty({ example: 'aeries' }) sisKind: string;
  @ApiProperty({ enum: ['direct', 'agent'] }) transport: 'direct' | 'agent';
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) agentId: string | null;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ enum: LINK_STATES }) state: LinkState;
  @ApiProperty({ type: Date, nullable: true }) since: Date | null;
  @ApiProperty({ type: Date, nullable: true }) lastProbeAt: Date | null;
  @ApiProperty({ type: Number, nullable: true }) lastLatencyMs: number | null;
  @ApiProperty({ type: String, nullable: true }) lastErrorCode: string | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: UptimeViewDto }) uptime: UptimeViewDto;
  @ApiProperty({ type: OpenIncidentDto, nullable: true }) openIncident: OpenIncidentDto | null;
}

export class AgentStatusViewDto implements AgentStatusView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() state: string;
  @ApiProperty() since: Date;
  @ApiProperty({ type: Date, nullable: true }) lastHeartbeatAt: Date | null;
  @ApiProperty({ type: Boolean, nullable: true }) lastProbeOk: boolean | null;
  @ApiProperty({ type: String, nullable: true }) version: string | null;
  @ApiProperty({ type: String, nullable: true }) hostname: string | null;
  @ApiProperty() revoked: boolean;
  @ApiProperty({ type: OpenIncidentDto, nullable: true }) openIncident: OpenIncidentDto | null;
}

export class MaintenanceSummaryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) linkId: string | null;
  @ApiProperty() startsAt: Date;
  @ApiProperty() endsAt: Date;
  @ApiProperty() reason: string;
}

export class DistrictStatusViewDto implements DistrictStatusView {
  @ApiProperty({ format: 'uuid' }) districtId: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: LINK_STATES, description: 'the worst link state: DOWN > PENDING > MAINTENANCE > UP' })
  state: LinkState;
  @ApiProperty({ type: [LinkStatusViewDto] }) links: LinkStatusViewDto[];
  @ApiProperty({ type: [AgentStatusViewDto] }) agents: AgentStatusViewDto[];
  @ApiProperty({ type: [MaintenanceSummaryDto] }) maintenance: MaintenanceSummaryDto[];
}

export class IncidentViewDto implements IncidentView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) districtId: string;
  @ApiProperty({ enum: ['link', 'agent'] }) subjectKind: 'link' | 'agent';
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) linkId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) agentId: string | null;
  @ApiProperty({ description: 'the link or agent name' }) subject: string;
  @ApiProperty() openedAt: Date;
  @ApiProperty({ type: Date, nullable: true }) closedAt: Date | null;
  @ApiProperty({ type: Number, nullable: true }) durationSeconds: number | null;
  @ApiProperty({ example: 'UNREACHABLE' }) causeCode: string;
  @ApiProperty() cause: string;
  @ApiProperty() notifyState: string;
}
