import { ApiProperty } from '@nestjs/swagger';
import type { EdfiFileView, EdfiUploadedView } from 'src/districts/edfi-files.service';

export class EdfiFileViewDto implements EdfiFileView {
  @ApiProperty({ example: 'StudentEnrollment.xml' }) name: string;
  @ApiProperty({ description: 'bytes', example: 639528 }) size: number;
  @ApiProperty({ format: 'date-time' }) uploadedAt: string;
}

export class EdfiUploadedViewDto extends EdfiFileViewDto implements EdfiUploadedView {
  @ApiProperty({ example: 'InterchangeStudentEnrollment', description: 'root element of the file' })
  interchange: string;
  @ApiProperty({ description: 'top-level records in the file', example: 1023 }) records: number;
}
