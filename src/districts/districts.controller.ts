import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { CreateContactDto, CreateDistrictDto, UpdateDistrictDto } from 'src/districts/districts.dto';
import { DistrictsService } from 'src/districts/districts.service';

@ApiTags('districts')
@ApiBearerAuth()
@Controller('api/districts')
export class DistrictsController {
  constructor(private readonly districts: DistrictsService) {}

  @Get()
  list(@CurrentPrincipal() p: Principal) {
    return this.districts.list(p);
  }

  @Roles('support')
  @Post()
  create(@Body() dto: CreateDistrictDto) {
    return this.districts.create(dto);
  }

  @Get(':districtId')
  get(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) id: string) {
    return this.districts.get(p, id);
  }

  @Roles('support', 'district_admin')
  @Patch(':districtId')
  update(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) id: string,
    @Body() dto: UpdateDistrictDto,
  ) {
    return this.districts.update(p, id, dto);
  }

  @Roles('support', 'district_admin')
  @Get(':districtId/contacts')
  contacts(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) id: string) {
    return this.districts.listContacts(p, id);
  }

  @Roles('support', 'district_admin')
  @Post(':districtId/contacts')
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
  removeContact(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) id: string,
    @Param('contactId', ParseUUIDPipe) contactId: string,
  ) {
    return this.districts.removeContact(p, id, contactId);
  }
}
