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
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { RuleDiffQueryDto, RuleListQueryDto, SaveCustomRuleDto } from 'src/rule-engine/rules-api.dto';
import { RulesApiService } from 'src/rule-engine/rules-api.service';

@ApiTags('rules')
@ApiBearerAuth()
@Controller('api')
export class RulesController {
  constructor(private readonly rules: RulesApiService) {}

  /** The rule list by state and SIS: what support shows a district before it changes SIS. */
  @Get('rules')
  list(@Query() q: RuleListQueryDto) {
    return this.rules.list(q);
  }

  @Roles('support', 'district_admin')
  @Get('rules/diff')
  diff(@Query() q: RuleDiffQueryDto) {
    return this.rules.diff(q);
  }

  @Get('districts/:districtId/rules')
  forDistrict(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) districtId: string) {
    return this.rules.forDistrict(p, districtId);
  }

  @Roles('support', 'district_admin')
  @Get('districts/:districtId/custom-rules')
  listCustom(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) districtId: string) {
    return this.rules.listCustom(p, districtId);
  }

  @Roles('support', 'district_admin')
  @Post('districts/:districtId/custom-rules')
  createCustom(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Body() dto: SaveCustomRuleDto,
  ) {
    return this.rules.createCustom(p, districtId, dto.definition);
  }

  @Roles('support', 'district_admin')
  @Put('districts/:districtId/custom-rules/:ruleId')
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
  removeCustom(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('ruleId') ruleId: string,
  ) {
    return this.rules.removeCustom(p, districtId, ruleId);
  }
}
