import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { IncidentsQueryDto } from 'src/connectivity/connectivity.dto';
import { StatusService } from 'src/connectivity/status.service';

@ApiTags('link health')
@ApiBearerAuth()
@Controller('api')
export class StatusController {
  constructor(private readonly status: StatusService) {}

  /** Support: every district; everyone else: their own. */
  @Get('status')
  board(@CurrentPrincipal() p: Principal) {
    return this.status.board(p);
  }

  @Get('districts/:districtId/status')
  district(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) districtId: string) {
    return this.status.district(p, districtId);
  }

  @Roles('support')
  @Get('incidents')
  incidents(@CurrentPrincipal() p: Principal, @Query() q: IncidentsQueryDto) {
    return this.status.listIncidents(p, null, q);
  }

  @Roles('support', 'district_admin')
  @Get('districts/:districtId/incidents')
  districtIncidents(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Query() q: IncidentsQueryDto,
  ) {
    return this.status.listIncidents(p, districtId, q);
  }
}
