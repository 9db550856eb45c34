import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { ExceptionsExportService } from 'src/scorecards/exceptions-export.service';
import {
  DistributionDto,
  DistributionQueryDto,
  DistrictScoreListDto,
  EvaluationQueryDto,
  ExceptionPageDto,
  ExceptionsFilterDto,
  ExceptionsQueryDto,
  RuleDetailDto,
  ScorecardDto,
  ScorecardQueryDto,
} from 'src/scorecards/scorecards.dto';
import { RuleIdPipe } from 'src/scorecards/rule-id.pipe';
import { ScorecardsService } from 'src/scorecards/scorecards.service';

@ApiTags('scorecards')
@ApiBearerAuth()
@Controller('api/districts/:districtId')
export class ScorecardsController {
  constructor(
    private readonly scorecards: ScorecardsService,
    private readonly exports: ExceptionsExportService,
  ) {}

  @Get('scorecard')
  @ApiOperation({
    summary: 'The data certification scorecard of the caller’s scope: score, counts, rules, trend',
  })
  @ApiOkResponse({ type: ScorecardDto })
  scorecard(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Query() q: ScorecardQueryDto,
  ): Promise<ScorecardDto> {
    return this.scorecards.scorecard(p, districtId, q);
  }

  @Get('scorecard/rules/:ruleId')
  @ApiOperation({ summary: 'One rule of the scorecard: counts, prescription and its trend over past runs' })
  @ApiOkResponse({ type: RuleDetailDto })
  rule(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('ruleId', RuleIdPipe) ruleId: string,
    @Query() q: EvaluationQueryDto,
  ): Promise<RuleDetailDto> {
    return this.scorecards.rule(p, districtId, ruleId, q);
  }

  @Get('scorecard/rules/:ruleId/distribution')
  @ApiOperation({
    summary: 'Frequency distribution of a rule’s open findings by school, grade or offending value',
  })
  @ApiOkResponse({ type: DistributionDto })
  distribution(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('ruleId', RuleIdPipe) ruleId: string,
    @Query() q: DistributionQueryDto,
  ): Promise<DistributionDto> {
    return this.scorecards.distribution(p, districtId, ruleId, q);
  }

  @Get('exceptions')
  @ApiOperation({ summary: 'Failing records (findings) with student identity and offending values, paged' })
  @ApiOkResponse({ type: ExceptionPageDto })
  exceptions(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Query() q: ExceptionsQueryDto,
  ): Promise<ExceptionPageDto> {
    return this.scorecards.exceptions(p, districtId, q);
  }

  @Get('exceptions.csv')
  @ApiOperation({
    summary: 'The same findings as CSV (every page, streamed; spreadsheet formulas neutralised)',
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'text/csv', schema: { type: 'string' } })
  exportCsv(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Query() q: ExceptionsFilterDto,
    @Res() res: Response,
  ): Promise<void> {
    return this.exports.stream(p, districtId, q, res);
  }
}

@ApiTags('scorecards')
@ApiBearerAuth()
@Controller('api/scorecards')
export class SupportScorecardsController {
  constructor(private readonly scorecards: ScorecardsService) {}

  @Get()
  @Roles('support')
  @ApiOperation({ summary: 'Every district’s score, counts, last run and link states (support only)' })
  @ApiOkResponse({ type: DistrictScoreListDto })
  list(): Promise<DistrictScoreListDto> {
    return this.scorecards.overview();
  }
}
