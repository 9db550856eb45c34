import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { DifferencesQueryDto, PageQueryDto } from 'src/comparison/comparison.dto';
import { ComparisonService } from 'src/comparison/comparison.service';

@ApiTags('comparison')
@ApiBearerAuth()
@Roles('support', 'district_admin')
@Controller('api/districts/:districtId/runs/:runId/comparison')
export class ComparisonController {
  constructor(private readonly comparison: ComparisonService) {}

  @Get()
  report(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('runId', ParseUUIDPipe) runId: string,
  ) {
    return this.comparison.report(p, districtId, runId);
  }

  @Get('differences')
  differences(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('runId', ParseUUIDPipe) runId: string,
    @Query() q: DifferencesQueryDto,
  ) {
    return this.comparison.differences(p, districtId, runId, q);
  }

  @Get('rule-delta')
  ruleDelta(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('runId', ParseUUIDPipe) runId: string,
  ) {
    return this.comparison.ruleDelta(p, districtId, runId);
  }

  @Get('warnings')
  warnings(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('runId', ParseUUIDPipe) runId: string,
    @Query() q: PageQueryDto,
  ) {
    return this.comparison.warnings(p, districtId, runId, q.page);
  }
}
