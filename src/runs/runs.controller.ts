import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { ListRunsQueryDto, StartRunDto } from 'src/runs/runs.dto';
import { RunsService } from 'src/runs/runs.service';
import { RunDetailDto, RunListDto, RunViewDto } from 'src/runs/runs.responses';

@ApiTags('runs')
@ApiBearerAuth()
@Controller('api/districts/:districtId/runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Roles('support', 'district_admin')
  @Post()
  @ApiOperation({ summary: 'Start a validation run now (manual, or trial against the new SIS test copy)' })
  @ApiCreatedResponse({ type: RunViewDto })
  start(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Body() dto: StartRunDto,
  ) {
    return this.runs.start(p, districtId, dto);
  }

  @Get()
  @ApiOperation({ summary: "List the district's runs, newest first, with each side's status" })
  @ApiOkResponse({ type: RunListDto })
  list(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Query() q: ListRunsQueryDto,
  ) {
    return this.runs.list(p, districtId, q.page);
  }

  @Get(':runId')
  @ApiOperation({ summary: "One run's progress: phase, percent, sides and steps" })
  @ApiOkResponse({ type: RunDetailDto })
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
  @ApiOperation({ summary: 'Cancel a run: at once when queued, at the next progress report when running' })
  @ApiOkResponse({ type: RunViewDto })
  cancel(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('runId', ParseUUIDPipe) runId: string,
  ) {
    return this.runs.cancel(p, districtId, runId);
  }
}
