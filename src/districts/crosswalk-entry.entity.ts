import { SisLinkEntity } from 'src/districts/sis-link.entity';
import { Column, JoinColumn, ManyToOne, Entity, Index } from 'typeorm';
import { BaseEntity } from 'src/common/base.entity';
import type { CodeSet } from 'src/districts/district.types';

/** A district override of a connector's default code map, scoped to one link (old and new SIS differ). */
@Entity('code_crosswalks')
@Index('ux_code_crosswalks_entry', ['linkId', 'codeSet', 'sourceValue'], { unique: true })
export class CrosswalkEntryEntity extends BaseEntity {
  @Index('ix_code_crosswalks_district')
  @Column({ name: 'district_id', type: 'uuid' })
  districtId: string;

  @Column({ name: 'link_id', type: 'uuid' })
  linkId: string;

  @ManyToOne(() => SisLinkEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'link_id' })
  link?: SisLinkEntity;

  @Column({ name: 'code_set', type: 'text' })
  codeSet: CodeSet;

  @Column({ name: 'source_value', type: 'text' })
  sourceValue: string;

  @Column({ name: 'canonical_value', type: 'text' })
  canonicalValue: string;
}
