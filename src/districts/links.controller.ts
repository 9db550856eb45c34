import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { CreateLinkDto, UpdateLinkDto } from 'src/districts/districts.dto';
import { LinksService } from 'src/districts/links.service';

@ApiTags('sis links')
@ApiBearerAuth()
@Controller('api/districts/:districtId/links')
export class LinksController {
  constructor(private readonly links: LinksService) {}

  @Roles('support', 'district_admin')
  @Get()
  list(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) districtId: string) {
    return this.links.list(p, districtId);
  }

  @Roles('support', 'district_admin')
  @Get(':linkId')
  get(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('linkId', ParseUUIDPipe) linkId: string,
  ) {
    return this.links.get(p, districtId, linkId);
  }

  @Roles('support')
  @Post()
  create(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Body() dto: CreateLinkDto,
  ) {
    return this.links.create(p, districtId, dto);
  }

  @Roles('support')
  @Patch(':linkId')
  update(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('linkId', ParseUUIDPipe) linkId: string,
    @Body() dto: UpdateLinkDto,
  ) {
    return this.links.update(p, districtId, linkId, dto);
  }

  @Roles('support')
  @Delete(':linkId')
  @HttpCode(204)
  remove(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('linkId', ParseUUIDPipe) linkId: string,
  ) {
    return this.links.remove(p, districtId, linkId);
  }
}
