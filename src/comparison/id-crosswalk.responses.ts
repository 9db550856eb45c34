import { ApiProperty } from '@nestjs/swagger';
import { ID_ENTITIES, type IdEntity } from 'src/comparison/comparison.types';
import type { IdMapping } from 'src/comparison/id-crosswalk.repository';
import type { SaveReport } from 'src/comparison/id-crosswalk.service';

export class IdMappingDto implements IdMapping {
  @ApiProperty({ description: 'the id in the old SIS' }) oldId: string;
  @ApiProperty({ description: 'the id in the new SIS' }) newId: string;
}

export class IdCrosswalkPageDto {
  @ApiProperty({ description: 'mappings of this entity in the district' }) total: number;
  @ApiProperty({ type: [IdMappingDto] }) items: IdMappingDto[];
}

export class IdCrosswalkSaveReportDto implements SaveReport {
  @ApiProperty({ enum: ID_ENTITIES }) entity: IdEntity;
  @ApiProperty({ description: 'valid mappings received' }) received: number;
  @ApiProperty() inserted: number;
  @ApiProperty() updated: number;
  @ApiProperty({ description: 'mappings removed because the request replaced the whole crosswalk' })
  removed: number;
}

export class IdCrosswalkRemovedDto {
  @ApiProperty({ description: 'mappings deleted' }) removed: number;
}

export class IdCrosswalkCoverageDto {
  @ApiProperty({ enum: ID_ENTITIES }) entity: IdEntity;
  @ApiProperty({ format: 'uuid' }) runId: string;
  @ApiProperty({ description: 'mappings in the crosswalk' }) mappings: number;
  @ApiProperty({ description: "mappings whose old id is in the run's old snapshot" }) oldFound: number;
  @ApiProperty({ description: "mappings whose new id is in the run's new snapshot" }) newFound: number;
  @ApiProperty({ type: [String], description: 'samples of old ids the old snapshot does not have' })
  unknownOld: string[];
  @ApiProperty({ type: [String], description: 'samples of new ids the new snapshot does not have' })
  unknownNew: string[];
}
