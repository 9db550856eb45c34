import { ApiProperty } from '@nestjs/swagger';
import type { LinkTestView } from 'src/runs/link-test.service';

export class LinkTestErrorDto {
  @ApiProperty({ example: 'UNREACHABLE' }) code: string;
  @ApiProperty() message: string;
}

export class FieldNotSuppliedDto {
  @ApiProperty({ example: 'student' }) entity: string;
  @ApiProperty({ example: 'el_status' }) field: string;
  @ApiProperty({ example: 'table S_CA_STU_X is not in the SIS schema' }) reason: string;
}

export class DroppedRuleDto {
  @ApiProperty({ example: 'CA-STU-030' }) ruleId: string;
  @ApiProperty({ example: 'student.el_status not supplied (table S_CA_STU_X is not in the SIS schema)' })
  reason: string;
}

export class LinkSchemaDto {
  @ApiProperty({ description: 'native tables of the connector found' }) tables: number;
  @ApiProperty({ description: 'their columns' }) columns: number;
  @ApiProperty({ type: [String], example: ['STU.CID'], description: 'required TABLE.Column names missing' })
  missingRequired: string[];
  @ApiProperty({ type: [String], example: ['S_CA_STU_X'], description: 'optional tables/columns missing' })
  absent: string[];
  @ApiProperty({ type: [FieldNotSuppliedDto] }) notSupplied: FieldNotSuppliedDto[];
  @ApiProperty({ type: [DroppedRuleDto] }) droppedRules: DroppedRuleDto[];
}

export class LinkTestDto implements LinkTestView {
  @ApiProperty() reachable: boolean;
  @ApiProperty() latencyMs: number;
  @ApiProperty({ type: LinkTestErrorDto, nullable: true }) error: LinkTestErrorDto | null;
  @ApiProperty({ type: LinkSchemaDto, nullable: true, description: 'null when the link was not reached' })
  schema: LinkSchemaDto | null;
}
