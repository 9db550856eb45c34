import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from 'src/auth/auth.decorators';
import { UpsertCrosswalkDto } from 'src/extraction/crosswalk.dto';
import { CrosswalkService } from 'src/extraction/crosswalk.service';
import { CrosswalkRowDto } from 'src/extraction/crosswalk.responses';

/** Per-district code crosswalk overrides on top of each connector's default code maps. */
@ApiTags('crosswalks')
@ApiBearerAuth()
@Roles('support', 'district_admin')
@Controller('api/districts/:districtId/crosswalks')
export class CrosswalkController {
  constructor(private readonly crosswalks: CrosswalkService) {}

  @Get()
  @ApiQuery({ name: 'linkId', required: false })
  @ApiOperation({ summary: "List the district's code crosswalk entries (SIS code → canonical code)" })
  @ApiOkResponse({ type: [CrosswalkRowDto] })
  list(
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Query('linkId', new ParseUUIDPipe({ optional: true })) linkId?: string,
  ) {
    return this.crosswalks.list(districtId, linkId);
  }

  @Put()
  @ApiOperation({ summary: 'Create or change a code crosswalk entry' })
  @ApiOkResponse({ type: CrosswalkRowDto })
  upsert(@Param('districtId', ParseUUIDPipe) districtId: string, @Body() dto: UpsertCrosswalkDto) {
    return this.crosswalks.upsert(districtId, dto);
  }

  @Delete(':crosswalkId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a code crosswalk entry' })
  @ApiNoContentResponse({ description: 'done' })
  remove(
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('crosswalkId', ParseUUIDPipe) id: string,
  ) {
    return this.crosswalks.delete(districtId, id);
  }
}
