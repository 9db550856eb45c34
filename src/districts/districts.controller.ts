import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
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
import { CreateContactDto, CreateDistrictDto, UpdateDistrictDto } from 'src/districts/districts.dto';
import { DistrictsService } from 'src/districts/districts.service';
import { ContactViewDto, DistrictViewDto } from 'src/districts/districts.responses';

@ApiTags('districts')
@ApiBearerAuth()
@Controller('api/districts')
export class DistrictsController {
  constructor(private readonly districts: DistrictsService) {}

  @Get()
  @ApiOperation({ summary: "List the districts in the caller's scope" })
  @ApiOkResponse({ type: [DistrictViewDto] })
  list(@CurrentPrincipal() p: Principal) {
    return this.districts.list(p);
  }

  @Roles('support')
  @Post()
  @ApiOperation({ summary: 'Create a district (support)' })
  @ApiCreatedResponse({ type: DistrictViewDto })
  create(@Body() dto: CreateDistrictDto) {
    return this.districts.create(dto);
  }

  @Get(':districtId')
  @ApiOperation({ summary: "One district's settings" })
  @ApiOkResponse({ type: DistrictViewDto })
  get(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) id: string) {
    return this.districts.get(p, id);
  }

  @Roles('support', 'district_admin')
  @Patch(':districtId')
  @ApiOperation({
    summary: "Change a district's settings (schedule, time zone, off season, comparison keys)",
  })
  @ApiOkResponse({ type: DistrictViewDto })
  update(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) id: string,
    @Body() dto: UpdateDistrictDto,
  ) {
    return this.districts.update(p, id, dto);
  }

  @Roles('support', 'district_admin')
  @Get(':districtId/contacts')
  @ApiOperation({ summary: "List the district's contacts (alerts and digest recipients)" })
  @ApiOkResponse({ type: [ContactViewDto] })
  contacts(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) id: string) {
    return this.districts.listContacts(p, id);
  }

  @Roles('support', 'district_admin')
  @Post(':districtId/contacts')
  @ApiOperation({ summary: 'Add a district contact' })
  @ApiCreatedResponse({ type: ContactViewDto })
  addContact(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) id: string,
    @Body() dto: CreateContactDto,
  ) {
    return this.districts.addContact(p, id, dto);
  }

  @Roles('support', 'district_admin')
  @Delete(':districtId/contacts/:contactId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a district contact' })
  @ApiNoContentResponse({ description: 'done' })
  removeContact(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) id: string,
    @Param('contactId', ParseUUIDPipe) contactId: string,
  ) {
    return this.districts.removeContact(p, id, contactId);
  }
}
