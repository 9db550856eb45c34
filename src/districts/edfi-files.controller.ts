import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  UploadedFiles,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { EdfiUploadLinkGuard } from 'src/districts/edfi-files.guard';
import { EdfiFileViewDto, EdfiUploadedViewDto } from 'src/districts/edfi-files.responses';
import { EdfiFilesService, type StagedFile } from 'src/districts/edfi-files.service';

/** The multipart field the files are sent in, and how many one request takes. */
export const EDFI_FILES_FIELD = 'files';
export const EDFI_FILES_PER_REQUEST = 20;

@ApiTags('sis links')
@ApiBearerAuth()
@Controller('api/districts/:districtId/links/:linkId/edfi-files')
export class EdfiFilesController {
  constructor(private readonly files: EdfiFilesService) {}

  @Roles('support', 'district_admin')
  @Post()
  @UseGuards(EdfiUploadLinkGuard)
  @UseInterceptors(FilesInterceptor(EDFI_FILES_FIELD, EDFI_FILES_PER_REQUEST))
  @ApiOperation({
    summary: 'Upload Ed-Fi XML interchange files to an Ed-Fi XML link (the next run reads them)',
    description:
      'multipart/form-data, field "files" (up to 20 files, each at most EDFI_UPLOAD_MAX_MB). Each file is streamed to disk and read once: one that is not a well-formed Ed-Fi interchange is refused (400, naming the file and line) and nothing of the request is kept. Accepted files replace files of the same name in the link\'s folder, which becomes the link\'s settings.path.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: [EDFI_FILES_FIELD],
      properties: { [EDFI_FILES_FIELD]: { type: 'array', items: { type: 'string', format: 'binary' } } },
    },
  })
  @ApiCreatedResponse({ type: [EdfiUploadedViewDto] })
  upload(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('linkId', ParseUUIDPipe) linkId: string,
    @UploadedFiles() staged: StagedFile[] | undefined,
  ) {
    return this.files.upload(p, districtId, linkId, staged ?? []);
  }

  @Roles('support', 'district_admin')
  @Get()
  @ApiOperation({ summary: 'The interchange files uploaded to an Ed-Fi XML link (name, size, upload time)' })
  @ApiOkResponse({ type: [EdfiFileViewDto] })
  list(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('linkId', ParseUUIDPipe) linkId: string,
  ) {
    return this.files.list(p, districtId, linkId);
  }

  @Roles('support', 'district_admin')
  @Delete(':fileName')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an uploaded interchange file (the next run no longer reads it)' })
  @ApiNoContentResponse({ description: 'removed' })
  remove(
    @CurrentPrincipal() p: Principal,
    @Param('districtId', ParseUUIDPipe) districtId: string,
    @Param('linkId', ParseUUIDPipe) linkId: string,
    @Param('fileName') fileName: string,
  ) {
    return this.files.remove(p, districtId, linkId, fileName);
  }
}
