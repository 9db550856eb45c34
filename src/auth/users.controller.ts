import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import { CreateUserDto, UpdateUserDto } from 'src/auth/auth.dto';
import type { Principal } from 'src/auth/auth.types';
import { UsersService } from 'src/auth/users.service';
import { UserViewDto } from 'src/auth/auth.responses';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Roles('support', 'district_admin')
  @Get('districts/:districtId/users')
  @ApiOperation({ summary: "List the district's users" })
  @ApiOkResponse({ type: [UserViewDto] })
  list(@CurrentPrincipal() p: Principal, @Param('districtId', ParseUUIDPipe) districtId: string) {
    return this.users.list(p, districtId);
  }

  @Roles('support', 'district_admin')
  @Post('districts/:districtId/users')
  @ApiOperation({ summary: 'Create a user of the district (role, schools, programs)' })
  @ApiCreatedResponse({ type: UserViewDto })
  create(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Body() dto: CreateUserDto,
  ) {
    return this.users.create(p, districtId, dto);
  }

  @Roles('support', 'district_admin')
  @Patch('districts/:districtId/users/:userId')
  @ApiOperation({ summary: "Change a user's name, role, scope, password or active flag" })
  @ApiOkResponse({ type: UserViewDto })
  update(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('userId', ParseUUIDPipe) userId: string,
    @Body() dto: UpdateUserDto,
  ) {
    return this.users.update(p, districtId, userId, dto);
  }

  @Roles('support')
  @Post('support-users')
  @ApiOperation({ summary: 'Create a support user (sees every district)' })
  @ApiCreatedResponse({ type: UserViewDto })
  createSupport(@CurrentPrincipal() p: Principal, @Body() dto: CreateUserDto) {
    return this.users.create(p, null, { ...dto, role: 'support' });
  }
}
