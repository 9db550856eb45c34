import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { DifferencesQueryDto, PageQueryDto } from 'src/comparison/comparison.dto';
import { ComparisonService } from 'src/comparison/comparison.service';
import {
  ComparisonReportDto,
  DifferencePageDto,
  RuleDeltaListDto,
  WarningsPageDto,
} from 'src/comparison/comparison.responses';

@ApiTags('comparison')
@ApiBearerAuth()
@Roles('support', 'district_admin')
@Controller('api/districts/:districtId/runs/:runId/comparison')
export class ComparisonController {
  constructor(private readonly comparison: ComparisonService) {}

  @Get()
  @ApiOperation({
    summary:
      "The run's old/new comparison: per-entity counts, per-school readiness, first reference warnings",
  })
  @ApiOkResponse({ type: ComparisonReportDto })
  report(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('runId', ParseUUIDPipe) runId: string,
  ) {
    return this.comparison.report(p, districtId, runId);
  }

  @Get('differences')
  @ApiOperation({
    summary: 'Records missing on either side and field differences with old and new values, paged',
  })
  @ApiOkResponse({ type: DifferencePageDto })
  differences(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('runId', ParseUUIDPipe) runId: string,
    @Query() q: DifferencesQueryDto,
  ) {
    return this.comparison.differences(p, districtId, runId, q);
  }

  @Get('rule-delta')
  @ApiOperation({ summary: 'Findings per rule only on the old side, only on the new side, and on both' })
  @ApiOkResponse({ type: RuleDeltaListDto })
  ruleDelta(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('runId', ParseUUIDPipe) runId: string,
  ) {
    return this.comparison.ruleDelta(p, districtId, runId);
  }

  @Get('warnings')
  @ApiOperation({ summary: 'Reference warnings of the comparison (ids the other side does not know), paged' })
  @ApiOkResponse({ type: WarningsPageDto })
  warnings(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('runId', ParseUUIDPipe) runId: string,
    @Query() q: PageQueryDto,
  ) {
    return this.comparison.warnings(p, districtId, runId, q.page);
  }
}
