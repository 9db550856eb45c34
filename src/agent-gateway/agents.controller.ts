import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { CreateAgentDto } from 'src/agent-gateway/agents.dto';
import { AgentsService } from 'src/agent-gateway/agents.service';

@ApiTags('agents')
@ApiBearerAuth()
@Roles('support')
@Controller('api/districts/:districtId/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get()
  list(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) districtId: string) {
    return this.agents.list(p, districtId);
  }

  /** Returns the agent token once; store it in the agent's service configuration. */
  @Post()
  create(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Body() dto: CreateAgentDto,
  ) {
    return this.agents.create(p, districtId, dto);
  }

  @Post(':agentId/rotate')
  @HttpCode(200)
  rotate(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('agentId', ParseUUIDPipe) id: string,
  ) {
    return this.agents.rotate(p, districtId, id);
  }

  @Post(':agentId/revoke')
  @HttpCode(200)
  revoke(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('agentId', ParseUUIDPipe) id: string,
  ) {
    return this.agents.revoke(p, districtId, id);
  }
}
