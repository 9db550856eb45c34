import { DistrictEntity } from 'src/districts/district.entity';
import { SisLinkEntity } from 'src/districts/sis-link.entity';
import {
  Column,
  JoinColumn,
  ManyToOne,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { SisKind } from 'src/districts/district.types';

export const SNAPSHOT_STATUSES = ['extracting', 'complete', 'failed', 'purged'] as const;
export type SnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];

/** One extraction of one link: the canonical rows live in the snap_* tables keyed by snapshot id. */
@Entity('snapshots')
@Index('ix_snapshots_link_created', ['linkId', 'createdAt'])
export class SnapshotEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('ix_snapshots_district')
  @Column({ name: 'district_id', type: 'uuid' })
  districtId: string;

  @ManyToOne(() => DistrictEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'district_id' })
  district?: DistrictEntity;

  @Column({ name: 'link_id', type: 'uuid' })
  linkId: string;

  @ManyToOne(() => SisLinkEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'link_id' })
  link?: SisLinkEntity;

  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId: string | null;

  @Column({ name: 'sis_kind', type: 'text' })
  sisKind: SisKind;

  @Column({ name: 'school_year', type: 'int' })
  schoolYear: number;

  @Column({ name: 'as_of', type: 'date' })
  asOf: string;

  @Column({ type: 'text', default: 'extracting' })
  status: SnapshotStatus;

  /** Extraction report: rows per entity, warnings, durations. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  report: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  /** The SIS clock read before extraction (change tracking): the next incremental snapshot's `:since`. */
  @Column({ name: 'change_watermark', type: 'text', nullable: true })
  changeWatermark: string | null;

  /** Hash of what the rows depend on besides the SIS data; an incremental base must have the same. */
  @Column({ name: 'extract_fingerprint', type: 'text', nullable: true })
  extractFingerprint: string | null;

  /** Incremental: the snapshot whose unchanged rows were carried forward. */
  @Column({ name: 'base_snapshot_id', type: 'uuid', nullable: true })
  baseSnapshotId: string | null;

  /** 0 for a full extraction, else the base's depth + 1. */
  @Column({ name: 'incremental_depth', type: 'int', default: 0 })
  incrementalDepth: number;
}
