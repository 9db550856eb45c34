import { Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { LinkTestDto } from 'src/runs/link-test.responses';
import { LinkTestService } from 'src/runs/link-test.service';

@ApiTags('sis links')
@ApiBearerAuth()
@Controller('api/districts/:districtId/links/:linkId/test')
export class LinkTestController {
  constructor(private readonly tests: LinkTestService) {}

  @Roles('support', 'district_admin')
  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Test an SIS link: reach it and inspect its native schema (required columns missing, fields not supplied, rules dropped)',
  })
  @ApiOkResponse({ type: LinkTestDto })
  test(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('linkId', ParseUUIDPipe) linkId: string,
  ) {
    return this.tests.test(p, districtId, linkId);
  }
}
