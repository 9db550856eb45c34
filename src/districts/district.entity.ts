import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from 'src/common/base.entity';
import type { ComparisonKeys, Edition, SeasonWindow } from 'src/districts/district.types';

@Entity('districts')
export class DistrictEntity extends BaseEntity {
  @Column({ type: 'text' })
  name: string;

  @Index('ix_districts_state')
  @Column({ type: 'char', length: 2 })
  state: string;

  @Column({ type: 'text', default: 'full' })
  edition: Edition;

  @Column({ name: 'time_zone', type: 'text', default: 'America/Los_Angeles' })
  timeZone: string;

  /** Local time of the nightly run, HH:MM in the district's time zone; null = no nightly run. */
  @Column({ name: 'nightly_at', type: 'text', nullable: true, default: '02:00' })
  nightlyAt: string | null;

  /** Windows (month-day ranges) when certification is switched off, e.g. summer. */
  @Column({ name: 'off_season', type: 'jsonb', default: () => "'[]'" })
  offSeason: SeasonWindow[];

  @Column({ name: 'school_year', type: 'int', nullable: true })
  schoolYear: number | null;

  /** Match keys of migration comparisons; null = the service default. */
  @Column({ name: 'comparison_keys', type: 'jsonb', nullable: true })
  comparisonKeys: ComparisonKeys | null;

  /** School years every extraction and comparison covers, ending with the certified one; null = 2. */
  @Column({ name: 'comparison_years', type: 'int', nullable: true })
  comparisonYears: number | null;

  /** Completeness guard: largest share an entity may shrink by between certified runs; null = the service default. */
  @Column({ name: 'completeness_max_shrink', type: 'real', nullable: true })
  completenessMaxShrink: number | null;
}
