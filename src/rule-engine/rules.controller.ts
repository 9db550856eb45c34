import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
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
import { RuleDiffQueryDto, RuleListQueryDto, SaveCustomRuleDto } from 'src/rule-engine/rules-api.dto';
import { RulesApiService } from 'src/rule-engine/rules-api.service';
import {
  CustomRuleDto,
  LinkRuleListDto,
  RuleDiffDto,
  RuleListViewDto,
} from 'src/rule-engine/rules.responses';

@ApiTags('rules')
@ApiBearerAuth()
@Controller('api')
export class RulesController {
  constructor(private readonly rules: RulesApiService) {}

  /** The rule list by state and SIS: what support shows a district before it changes SIS. */
  @Get('rules')
  @ApiOperation({
    summary: 'The rules that run for a state, edition and SIS, and those the connector cannot feed',
  })
  @ApiOkResponse({ type: RuleListViewDto })
  list(@Query() q: RuleListQueryDto) {
    return this.rules.list(q);
  }

  @Roles('support', 'district_admin')
  @Get('rules/diff')
  @ApiOperation({
    summary: 'Rules a migration from one SIS to another gains and loses, naming the missing fields',
  })
  @ApiOkResponse({ type: RuleDiffDto })
  diff(@Query() q: RuleDiffQueryDto) {
    return this.rules.diff(q);
  }

  @Get('districts/:districtId/rules')
  @ApiOperation({ summary: 'The rules that run for the district on each of its links' })
  @ApiOkResponse({ type: [LinkRuleListDto] })
  forDistrict(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) districtId: string) {
    return this.rules.forDistrict(p, districtId);
  }

  @Roles('support', 'district_admin')
  @Get('districts/:districtId/custom-rules')
  @ApiOperation({ summary: "List the district's own rules" })
  @ApiOkResponse({ type: [CustomRuleDto] })
  listCustom(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) districtId: string) {
    return this.rules.listCustom(p, districtId);
  }

  @Roles('support', 'district_admin')
  @Post('districts/:districtId/custom-rules')
  @ApiOperation({ summary: 'Add a district rule (validated, compiled and its examples run first)' })
  @ApiCreatedResponse({ type: CustomRuleDto })
  createCustom(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Body() dto: SaveCustomRuleDto,
  ) {
    return this.rules.createCustom(p, districtId, dto.definition);
  }

  @Roles('support', 'district_admin')
  @Put('districts/:districtId/custom-rules/:ruleId')
  @ApiOperation({ summary: 'Replace a district rule' })
  @ApiOkResponse({ type: CustomRuleDto })
  updateCustom(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('ruleId') ruleId: string,
    @Body() dto: SaveCustomRuleDto,
  ) {
    return this.rules.updateCustom(p, districtId, ruleId, dto.definition);
  }

  @Roles('support', 'district_admin')
  @Delete('districts/:districtId/custom-rules/:ruleId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a district rule' })
  @ApiNoContentResponse({ description: 'done' })
  removeCustom(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('ruleId') ruleId: string,
  ) {
    return this.rules.removeCustom(p, districtId, ruleId);
  }
}
