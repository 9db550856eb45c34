import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { ListRunsQueryDto, StartRunDto } from 'src/runs/runs.dto';
import { RunsService } from 'src/runs/runs.service';

@ApiTags('runs')
@ApiBearerAuth()
@Controller('api/districts/:districtId/runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Roles('support', 'district_admin')
  @Post()
  start(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Body() dto: StartRunDto,
  ) {
    return this.runs.start(p, districtId, dto);
  }

  @Get()
  list(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Query() q: ListRunsQueryDto,
  ) {
    return this.runs.list(p, districtId, q.page);
  }

  @Get(':runId')
  get(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('runId', ParseUUIDPipe) runId: string,
  ) {
    return this.runs.get(p, districtId, runId);
  }

  @Roles('support', 'district_admin')
  @Post(':runId/cancel')
  @HttpCode(200)
  cancel(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('runId', ParseUUIDPipe) runId: string,
  ) {
    return this.runs.cancel(p, districtId, runId);
  }
}
