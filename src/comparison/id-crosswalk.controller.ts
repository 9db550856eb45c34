import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import {
  IdCrosswalkListQueryDto,
  IdCrosswalkReportQueryDto,
  ImportIdCrosswalkDto,
  SaveIdCrosswalkDto,
} from 'src/comparison/id-crosswalk.dto';
import { IdCrosswalkService } from 'src/comparison/id-crosswalk.service';

/** Identifier crosswalks (old id → new id) per entity: schools, sections, staff, students. */
@ApiTags('id-crosswalks')
@ApiBearerAuth()
@Roles('support', 'district_admin')
@Controller('api/districts/:districtId/id-crosswalks/:entity')
export class IdCrosswalkController {
  constructor(private readonly crosswalks: IdCrosswalkService) {}

  @Get()
  list(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('entity') entity: string,
    @Query() q: IdCrosswalkListQueryDto,
  ) {
    return this.crosswalks.list(p, districtId, entity, q.page);
  }

  @Put()
  save(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('entity') entity: string,
    @Body() dto: SaveIdCrosswalkDto,
  ) {
    return this.crosswalks.save(p, districtId, entity, dto.entries, dto.replace);
  }

  @Post('import')
  import(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('entity') entity: string,
    @Body() dto: ImportIdCrosswalkDto,
  ) {
    return this.crosswalks.importCsv(p, districtId, entity, dto.csv, dto.replace);
  }

  @Get('report')
  report(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('entity') entity: string,
    @Query() q: IdCrosswalkReportQueryDto,
  ) {
    return this.crosswalks.report(p, districtId, entity, q.runId);
  }

  @Delete()
  remove(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('entity') entity: string,
  ) {
    return this.crosswalks.remove(p, districtId, entity);
  }
}
