import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
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
import { BindAgentDto, CreateLinkDto, UpdateLinkDto } from 'src/districts/districts.dto';
import { LinksService } from 'src/districts/links.service';
import { LinkViewDto } from 'src/districts/districts.responses';

@ApiTags('sis links')
@ApiBearerAuth()
@Controller('api/districts/:districtId/links')
export class LinksController {
  constructor(private readonly links: LinksService) {}

  @Roles('support', 'district_admin')
  @Get()
  @ApiOperation({ summary: "List the district's SIS links (never their secrets)" })
  @ApiOkResponse({ type: [LinkViewDto] })
  list(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) districtId: string) {
    return this.links.list(p, districtId);
  }

  @Roles('support', 'district_admin')
  @Get(':linkId')
  @ApiOperation({ summary: 'One SIS link' })
  @ApiOkResponse({ type: LinkViewDto })
  get(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('linkId', ParseUUIDPipe) linkId: string,
  ) {
    return this.links.get(p, districtId, linkId);
  }

  @Roles('support')
  @Post()
  @ApiOperation({ summary: 'Add an SIS link (current, old or new; direct or through an agent)' })
  @ApiCreatedResponse({ type: LinkViewDto })
  create(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Body() dto: CreateLinkDto,
  ) {
    return this.links.create(p, districtId, dto);
  }

  @Roles('support')
  @Patch(':linkId')
  @ApiOperation({ summary: "Change an SIS link's connection, secret, schedule or flags" })
  @ApiOkResponse({ type: LinkViewDto })
  update(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('linkId', ParseUUIDPipe) linkId: string,
    @Body() dto: UpdateLinkDto,
  ) {
    return this.links.update(p, districtId, linkId, dto);
  }

  @Roles('support')
  @Put(':linkId/agent')
  @ApiOperation({
    summary: 'Bind the link to an on-premises agent of the district: it is extracted through it',
  })
  @ApiOkResponse({ type: LinkViewDto })
  bindAgent(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('linkId', ParseUUIDPipe) linkId: string,
    @Body() dto: BindAgentDto,
  ) {
    return this.links.bindAgent(p, districtId, linkId, dto.agentId);
  }

  @Roles('support')
  @Delete(':linkId/agent')
  @ApiOperation({ summary: 'Unbind the link from its agent: it is extracted directly again' })
  @ApiOkResponse({ type: LinkViewDto })
  unbindAgent(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('linkId', ParseUUIDPipe) linkId: string,
  ) {
    return this.links.bindAgent(p, districtId, linkId, null);
  }

  @Roles('support')
  @Delete(':linkId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an SIS link' })
  @ApiNoContentResponse({ description: 'done' })
  remove(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('linkId', ParseUUIDPipe) linkId: string,
  ) {
    return this.links.remove(p, districtId, linkId);
  }
}
