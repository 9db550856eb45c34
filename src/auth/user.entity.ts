import { DistrictEntity } from 'src/districts/district.entity';
import { Column, JoinColumn, ManyToOne, Entity, Index } from 'typeorm';
import { BaseEntity } from 'src/common/base.entity';
import type { Role } from 'src/auth/auth.types';

@Entity('users')
export class UserEntity extends BaseEntity {
  @Index('ux_users_email', { unique: true })
  @Column({ type: 'text' })
  email: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash: string | null;

  @Column({ type: 'text' })
  role: Role;

  /** null for support staff. */
  @Index('ix_users_district')
  @Column({ name: 'district_id', type: 'uuid', nullable: true })
  districtId: string | null;

  @ManyToOne(() => DistrictEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'district_id' })
  district?: DistrictEntity;

  @Column({ name: 'school_ids', type: 'text', array: true, default: () => "'{}'" })
  schoolIds: string[];

  @Column({ name: 'program_codes', type: 'text', array: true, default: () => "'{}'" })
  programCodes: string[];

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;
}
