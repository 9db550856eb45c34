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
  CreateMaintenanceWindowDto,
  CreateSilenceDto,
  ListQueryDto,
} from 'src/connectivity/connectivity.dto';
import { MaintenanceService } from 'src/connectivity/maintenance.service';
import { MaintenanceWindowViewDto, SilenceViewDto } from 'src/connectivity/connectivity.responses';

@ApiTags('link health')
@ApiBearerAuth()
@Roles('support', 'district_admin')
@Controller('api/districts/:districtId')
export class MaintenanceController {
  constructor(private readonly maintenance: MaintenanceService) {}

  @Get('maintenance-windows')
  @ApiOperation({ summary: 'List maintenance windows (state MAINTENANCE, no alerts)' })
  @ApiOkResponse({ type: [MaintenanceWindowViewDto] })
  windows(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Query() q: ListQueryDto,
  ) {
    return this.maintenance.listWindows(p, districtId, q.all === 'true');
  }

  @Post('maintenance-windows')
  @ApiOperation({ summary: 'Schedule a maintenance window for a link or the whole district' })
  @ApiCreatedResponse({ type: MaintenanceWindowViewDto })
  createWindow(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Body() dto: CreateMaintenanceWindowDto,
  ) {
    return this.maintenance.createWindow(p, districtId, dto);
  }

  @Delete('maintenance-windows/:windowId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a maintenance window' })
  @ApiNoContentResponse({ description: 'done' })
  deleteWindow(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('windowId', ParseUUIDPipe) id: string,
  ) {
    return this.maintenance.deleteWindow(p, districtId, id);
  }

  @Get('silences')
  @ApiOperation({ summary: 'List alert silences (incidents still recorded)' })
  @ApiOkResponse({ type: [SilenceViewDto] })
  silences(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Query() q: ListQueryDto,
  ) {
    return this.maintenance.listSilences(p, districtId, q.all === 'true');
  }

  @Post('silences')
  @ApiOperation({ summary: 'Silence alerts for a link or the whole district for a while' })
  @ApiCreatedResponse({ type: SilenceViewDto })
  createSilence(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Body() dto: CreateSilenceDto,
  ) {
    return this.maintenance.createSilence(p, districtId, dto);
  }

  /** Expires the silence now (its record is kept). */
  @Delete('silences/:silenceId')
  @HttpCode(204)
  @ApiOperation({ summary: 'End a silence now' })
  @ApiNoContentResponse({ description: 'done' })
  expireSilence(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('silenceId', ParseUUIDPipe) id: string,
  ) {
    return this.maintenance.expireSilence(p, districtId, id);
  }
}
