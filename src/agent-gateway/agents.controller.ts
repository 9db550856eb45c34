import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { CreateAgentDto } from 'src/agent-gateway/agents.dto';
import { AgentsService } from 'src/agent-gateway/agents.service';
import { AgentViewDto, AgentWithTokenDto } from 'src/agent-gateway/agents.responses';

@ApiTags('agents')
@ApiBearerAuth()
@Roles('support')
@Controller('api/districts/:districtId/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get()
  @ApiOperation({ summary: "List the district's on-premises agents with their health" })
  @ApiOkResponse({ type: [AgentViewDto] })
  list(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) districtId: string) {
    return this.agents.list(p, districtId);
  }

  /** Returns the agent token once; store it in the agent's service configuration. */
  @Post()
  @ApiOperation({ summary: 'Register an agent; the response carries its token once' })
  @ApiCreatedResponse({ type: AgentWithTokenDto })
  create(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Body() dto: CreateAgentDto,
  ) {
    return this.agents.create(p, districtId, dto);
  }

  @Post(':agentId/rotate')
  @HttpCode(200)
  @ApiOperation({ summary: "Rotate an agent's token; the old one stops working" })
  @ApiOkResponse({ type: AgentWithTokenDto })
  rotate(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('agentId', ParseUUIDPipe) id: string,
  ) {
    return this.agents.rotate(p, districtId, id);
  }

  @Post(':agentId/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an agent: it can no longer connect' })
  @ApiOkResponse({ type: AgentViewDto })
  revoke(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('agentId', ParseUUIDPipe) id: string,
  ) {
    return this.agents.revoke(p, districtId, id);
  }
}
