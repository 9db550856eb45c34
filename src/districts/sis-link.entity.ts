import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import type { LinkConnectionSettings } from 'connectors/sdk/drivers/link-driver';
import { BaseEntity } from 'src/common/base.entity';
import { DistrictEntity } from 'src/districts/district.entity';
import type { LinkRole, SisKind, Transport } from 'src/districts/district.types';

/** Non-secret connection settings; the password lives encrypted in `secretCiphertext`. */
export type { LinkConnectionSettings };

@Entity('sis_links')
@Index('ux_sis_links_district_role', ['districtId', 'role'], { unique: true })
export class SisLinkEntity extends BaseEntity {
  @Column({ name: 'district_id', type: 'uuid' })
  districtId: string;

  @ManyToOne(() => DistrictEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'district_id' })
  district?: DistrictEntity;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  role: LinkRole;

  @Column({ name: 'sis_kind', type: 'text' })
  sisKind: SisKind;

  @Column({ type: 'text', default: 'direct' })
  transport: Transport;

  @Column({ type: 'jsonb' })
  settings: LinkConnectionSettings;

  /** AES-256-GCM ciphertext of the link's secrets (password), base64 `v1:iv:tag:data`. Never returned. */
  @Column({ name: 'secret_ciphertext', type: 'text', nullable: true })
  secretCiphertext: string | null;

  /** Trial runs target a test copy of the new SIS before the real cut-over. */
  @Column({ name: 'is_test_copy', type: 'boolean', default: false })
  isTestCopy: boolean;

  @Column({ name: 'agent_id', type: 'uuid', nullable: true })
  agentId: string | null;

  @Column({ name: 'probe_interval_seconds', type: 'int', default: 60 })
  probeIntervalSeconds: number;

  @Column({ name: 'snapshots_to_keep', type: 'int', default: 3 })
  snapshotsToKeep: number;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;
}
