import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import {
  AuditListDto,
  CreateExclusionDto,
  DecisionDto,
  ExclusionDto,
  ExclusionListDto,
  ExclusionListQueryDto,
} from 'src/scorecards/exclusions.dto';
import { ExclusionsService } from 'src/scorecards/exclusions.service';

@ApiTags('exclusions')
@ApiBearerAuth()
@Controller('api/districts/:districtId/exclusions')
export class ExclusionsController {
  constructor(private readonly exclusions: ExclusionsService) {}

  @Get()
  @ApiOperation({ summary: 'Exclusions of findings in the caller’s scope, by status' })
  @ApiOkResponse({ type: ExclusionListDto })
  list(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Query() q: ExclusionListQueryDto,
  ): Promise<ExclusionListDto> {
    return this.exclusions.list(p, districtId, q);
  }

  @Post()
  @ApiOperation({ summary: 'Exclude a finding (admins: active at once; school and program users: proposed)' })
  @ApiCreatedResponse({ type: ExclusionDto })
  create(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Body() body: CreateExclusionDto,
  ): Promise<ExclusionDto> {
    return this.exclusions.create(p, districtId, body);
  }

  @Post(':exclusionId/approve')
  @HttpCode(200)
  @Roles('support', 'district_admin')
  @ApiOperation({ summary: 'Approve a proposed exclusion (it applies from now on)' })
  @ApiOkResponse({ type: ExclusionDto })
  approve(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('exclusionId', ParseUUIDPipe) exclusionId: string,
    @Body() body: DecisionDto,
  ): Promise<ExclusionDto> {
    return this.exclusions.decide(p, districtId, exclusionId, 'approve', body);
  }

  @Post(':exclusionId/reject')
  @HttpCode(200)
  @Roles('support', 'district_admin')
  @ApiOperation({ summary: 'Reject a proposed exclusion' })
  @ApiOkResponse({ type: ExclusionDto })
  reject(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('exclusionId', ParseUUIDPipe) exclusionId: string,
    @Body() body: DecisionDto,
  ): Promise<ExclusionDto> {
    return this.exclusions.decide(p, districtId, exclusionId, 'reject', body);
  }

  @Delete(':exclusionId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an exclusion (admins) or withdraw one’s own proposal; audited' })
  @ApiNoContentResponse()
  revoke(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('exclusionId', ParseUUIDPipe) exclusionId: string,
  ): Promise<void> {
    return this.exclusions.revoke(p, districtId, exclusionId);
  }

  @Get(':exclusionId/audit')
  @ApiOperation({ summary: 'Who created, approved, rejected or revoked the exclusion, when and why' })
  @ApiOkResponse({ type: AuditListDto })
  audit(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('exclusionId', ParseUUIDPipe) exclusionId: string,
  ): Promise<AuditListDto> {
    return this.exclusions.audit(p, districtId, exclusionId);
  }
}
