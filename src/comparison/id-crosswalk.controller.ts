import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import {
  IdCrosswalkListQueryDto,
  IdCrosswalkReportQueryDto,
  ImportIdCrosswalkDto,
  SaveIdCrosswalkDto,
} from 'src/comparison/id-crosswalk.dto';
import {
  IdCrosswalkCoverageDto,
  IdCrosswalkPageDto,
  IdCrosswalkRemovedDto,
  IdCrosswalkSaveReportDto,
} from 'src/comparison/id-crosswalk.responses';
import { IdCrosswalkService } from 'src/comparison/id-crosswalk.service';

/** Identifier crosswalks (old id → new id) per entity: schools, sections, staff, students. */
@ApiTags('id-crosswalks')
@ApiBearerAuth()
@Roles('support', 'district_admin')
@Controller('api/districts/:districtId/id-crosswalks/:entity')
export class IdCrosswalkController {
  constructor(private readonly crosswalks: IdCrosswalkService) {}

  @ApiOperation({
    summary: 'List the identifier crosswalk of one entity (schools, sections, staff, students)',
  })
  @ApiOkResponse({ type: IdCrosswalkPageDto })
  @Get()
  list(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('entity') entity: string,
    @Query() q: IdCrosswalkListQueryDto,
  ) {
    return this.crosswalks.list(p, districtId, entity, q.page);
  }

  @ApiOperation({ summary: 'Add or replace old → new id mappings, validated (duplicates, merged ids)' })
  @ApiOkResponse({ type: IdCrosswalkSaveReportDto })
  @Put()
  save(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('entity') entity: string,
    @Body() dto: SaveIdCrosswalkDto,
  ) {
    return this.crosswalks.save(p, districtId, entity, dto.entries, dto.replace);
  }

  @ApiOperation({ summary: "Import a migration vendor's CSV (old_id,new_id) into the crosswalk" })
  @ApiCreatedResponse({ type: IdCrosswalkSaveReportDto })
  @Post('import')
  import(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('entity') entity: string,
    @Body() dto: ImportIdCrosswalkDto,
  ) {
    return this.crosswalks.importCsv(p, districtId, entity, dto.csv, dto.replace);
  }

  @ApiOperation({ summary: "What the crosswalk matched in a run's snapshots, with samples of unknown ids" })
  @ApiOkResponse({ type: IdCrosswalkCoverageDto })
  @Get('report')
  report(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('entity') entity: string,
    @Query() q: IdCrosswalkReportQueryDto,
  ) {
    return this.crosswalks.report(p, districtId, entity, q.runId);
  }

  @ApiOperation({ summary: 'Delete the crosswalk of one entity' })
  @ApiOkResponse({ type: IdCrosswalkRemovedDto })
  @Delete()
  remove(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('entity') entity: string,
  ) {
    return this.crosswalks.remove(p, districtId, entity);
  }
}
