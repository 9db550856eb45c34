import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { StateDirectoryService } from 'src/reference-data/state-directory.service';
import { DirectoryLoadsQueryDto, LoadStateDirectoryDto } from 'src/reference-data/state-directory.dto';
import { DirectoryLoadReportDto, DirectoryLoadViewDto } from 'src/reference-data/state-directory.responses';

@ApiTags('reference data')
@ApiBearerAuth()
@Roles('support')
@Controller('api/reference/school-directory')
export class StateDirectoryController {
  constructor(private readonly directory: StateDirectoryService) {}

  @Post()
  @ApiOperation({ summary: "Load (replace) a state's public school directory from its file (support)" })
  @ApiCreatedResponse({ type: DirectoryLoadReportDto })
  load(@CurrentPrincipal() p: Principal, @Body() dto: LoadStateDirectoryDto) {
    return this.directory.load(p, dto);
  }

  @Get('loads')
  @ApiOperation({ summary: 'Recent school directory loads, newest first' })
  @ApiOkResponse({ type: [DirectoryLoadViewDto] })
  loads(@Query() q: DirectoryLoadsQueryDto) {
    return this.directory.loads(q.state ?? null);
  }
}
