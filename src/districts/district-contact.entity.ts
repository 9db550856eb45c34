import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseEntity } from 'src/common/base.entity';
import { DistrictEntity } from 'src/districts/district.entity';
import type { ContactKind } from 'src/districts/district.types';

@Entity('district_contacts')
export class DistrictContactEntity extends BaseEntity {
  @Index('ix_district_contacts_district')
  @Column({ name: 'district_id', type: 'uuid' })
  districtId: string;

  @ManyToOne(() => DistrictEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'district_id' })
  district?: DistrictEntity;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text', default: 'administrative' })
  kind: ContactKind;

  @Column({ name: 'receives_alerts', type: 'boolean', default: true })
  receivesAlerts: boolean;

  @Column({ name: 'receives_digest', type: 'boolean', default: true })
  receivesDigest: boolean;
}
