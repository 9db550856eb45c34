import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { IncidentsQueryDto } from 'src/connectivity/connectivity.dto';
import { StatusService } from 'src/connectivity/status.service';
import { DistrictStatusViewDto, IncidentViewDto } from 'src/connectivity/connectivity.responses';

@ApiTags('link health')
@ApiBearerAuth()
@Controller('api')
export class StatusController {
  constructor(private readonly status: StatusService) {}

  /** Support: every district; everyone else: their own. */
  @Get('status')
  @ApiOperation({ summary: 'Status board: every district in scope with its links, agents and uptime' })
  @ApiOkResponse({ type: [DistrictStatusViewDto] })
  board(@CurrentPrincipal() p: Principal) {
    return this.status.board(p);
  }

  @Get('districts/:districtId/status')
  @ApiOperation({ summary: "One district's link and agent health with uptime and open incidents" })
  @ApiOkResponse({ type: DistrictStatusViewDto })
  district(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) districtId: string) {
    return this.status.district(p, districtId);
  }

  @Roles('support')
  @Get('incidents')
  @ApiOperation({ summary: 'Incidents across the districts in scope' })
  @ApiOkResponse({ type: [IncidentViewDto] })
  incidents(@CurrentPrincipal() p: Principal, @Query() q: IncidentsQueryDto) {
    return this.status.listIncidents(p, null, q);
  }

  @Roles('support', 'district_admin')
  @Get('districts/:districtId/incidents')
  @ApiOperation({ summary: "One district's incidents" })
  @ApiOkResponse({ type: [IncidentViewDto] })
  districtIncidents(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Query() q: IncidentsQueryDto,
  ) {
    return this.status.listIncidents(p, districtId, q);
  }
}
