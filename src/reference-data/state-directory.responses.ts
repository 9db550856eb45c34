import { ApiProperty } from '@nestjs/swagger';

export class DirectoryProblemDto {
  @ApiProperty() line: number;
  @ApiProperty() message: string;
}

export class DirectoryLoadReportDto {
  @ApiProperty({ example: 'CA' }) state: string;
  @ApiProperty({ example: 'cde-pubschls' }) format: string;
  @ApiProperty({ example: 'pubschls.txt' }) sourceFile: string;
  @ApiProperty() rowsLoaded: number;
  @ApiProperty() rowsRejected: number;
  @ApiProperty({ type: [DirectoryProblemDto] }) problems: DirectoryProblemDto[];
}

export class DirectoryLoadViewDto {
  @ApiProperty() id: string;
  @ApiProperty() state: string;
  @ApiProperty() format: string;
  @ApiProperty() sourceFile: string;
  @ApiProperty() rowsLoaded: number;
  @ApiProperty() rowsRejected: number;
  @ApiProperty({ type: String, nullable: true }) loadedBy: string | null;
  @ApiProperty() loadedAt: Date;
}
