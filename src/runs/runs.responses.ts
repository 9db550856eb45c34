import { ApiProperty } from '@nestjs/swagger';
import {
  RUN_KINDS,
  RUN_SIDE_STATUSES,
  RUN_STATUSES,
  RUN_STEPS,
  RUN_TRIGGERS,
  type RunKind,
  type RunSide,
  type RunSideStatus,
  type RunStatus,
  type RunStep,
  type RunTrigger,
} from 'src/runs/runs.types';

export class RunLinksDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) current: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) old: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) new: string | null;
}

export class RunTriggerDto {
  @ApiProperty({ enum: RUN_TRIGGERS }) kind: RunTrigger;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) userId: string | null;
}

/** One side of a run: where it stands and, when it was not evaluated, why. */
export class RunSideDto {
  @ApiProperty({ enum: ['current', 'old', 'new'] }) side: RunSide;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) linkId: string | null;
  @ApiProperty({ type: String, nullable: true }) linkName: string | null;
  @ApiProperty({
    enum: RUN_SIDE_STATUSES,
    description: 'pending / extracted while the run works on it; evaluated, skipped or failed at the end',
  })
  status: RunSideStatus;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'link_down: PowerSchool (hosted)',
    description: 'why the side was skipped or failed',
  })
  reason: string | null;
}

export class RunStepDto {
  @ApiProperty({ enum: RUN_STEPS }) step: RunStep;
  @ApiProperty({ example: 'old', description: 'the side, or old-new for the comparison' }) target: string;
  @ApiProperty({ enum: ['started', 'done'] }) status: 'started' | 'done';
  @ApiProperty({ type: String, nullable: true, description: 'why the step did no work (a side missing)' })
  reason: string | null;
  @ApiProperty({
    type: [String],
    example: ['student.el_status: table S_CA_STU_X is not in the SIS schema'],
    description:
      'what the step left out and why: fields the SIS schema does not supply (extract), rules dropped for them (evaluate)',
  })
  leftOut: string[];
}

/** A run as the API answers it (RunsService.toRunView maps the domain type RunRecord to it). */
export class RunViewDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) districtId: string;
  @ApiProperty({ enum: RUN_KINDS }) kind: RunKind;
  @ApiProperty({ enum: RUN_STATUSES }) status: RunStatus;
  @ApiProperty({ type: String, nullable: true, example: 'extracting old + new' }) phase: string | null;
  @ApiProperty({ description: '0..100' }) percent: number;
  @ApiProperty({ type: String, nullable: true }) message: string | null;
  @ApiProperty({ example: '2026-11-01' }) asOf: string;
  @ApiProperty({ example: 2026 }) schoolYear: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 2,
    description: 'school years compared, ending with schoolYear (null: the default, current and prior)',
  })
  comparisonYears: number | null;
  @ApiProperty({ type: RunLinksDto }) links: RunLinksDto;
  @ApiProperty({ type: RunTriggerDto }) trigger: RunTriggerDto;
  @ApiProperty({ type: String, nullable: true, example: 'off_season: summer break' })
  skipReason: string | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ type: Date, nullable: true }) scheduledFor: Date | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) catchUpOf: string | null;
  @ApiProperty() attempts: number;
  @ApiProperty() cancelRequested: boolean;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ type: Date, nullable: true }) startedAt: Date | null;
  @ApiProperty({ type: Date, nullable: true }) finishedAt: Date | null;
  @ApiProperty({ type: [RunSideDto] }) sides: RunSideDto[];
}

export class RunDetailDto extends RunViewDto {
  @ApiProperty({ type: [RunStepDto] }) steps: RunStepDto[];
}

export class RunListDto {
  @ApiProperty({ type: [RunViewDto] }) items: RunViewDto[];
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}
