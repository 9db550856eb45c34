import type { GeneratedDirectory } from 'connectors/generator/state-directory.util';
import type { GeneratorState } from 'connectors/generator/district-model.util';
import type { CanonicalEntity } from 'connectors/sdk/canonical';
import type { CodeSet, SisKind } from 'connectors/sdk/sis-kinds';

/** Defects the generator can inject, each with a count. The manifest lists exactly what was injected. */
export const DEFECT_KINDS = [
  'missing_birth_date',
  'future_birth_date',
  'duplicate_state_id',
  'same_name_birth_two_ids',
  'overlapping_enrollment',
  'exit_before_entry',
  'exit_date_without_code',
  'exit_code_without_date',
  'invalid_grade_code',
  'unmapped_exit_code',
  'grade_outside_school_span',
  'enrolled_inactive_school',
  'section_without_teacher',
  'roster_without_enrollment',
  'program_outside_enrollment',
  'missing_state_id',
  'null_key_row',
  'impossible_date',
  'leaver_below_grade7',
  'student_id_invalid_area',
  'unreported_prior_year_leaver',
  /** An English learner whose ELAS is still TBD more than 30 days after its ELAS start date (CALPADS CERT106). */
  'elas_tbd_overdue',
  /** The section's lead teacher entered again as its co-teacher: one SEID twice on a section (CALPADS CRSE0122). */
  'duplicate_section_teacher',
] as const;
export type DefectKind = (typeof DEFECT_KINDS)[number];

/**
 * Defect kinds that exist only under one state's conventions: an exit code is "unmapped" only where the
 * connector maps exit codes (CA: CALPADS codes; TX codes pass through unchanged), and leaver reasons are PEIMS.
 */
export const DEFECT_STATES: Partial<Record<DefectKind, readonly GeneratorState[]>> = {
  unmapped_exit_code: ['CA'],
  leaver_below_grade7: ['TX'],
  student_id_invalid_area: ['TX'],
  unreported_prior_year_leaver: ['TX'],
  elas_tbd_overdue: ['CA'],
  duplicate_section_teacher: ['CA'],
};

/**
 * Defect kinds only some SIS can carry (the others have no native place for them, as their connector reads it):
 * the ELAS and its start date are Aeries LAC and PowerSchool S_CA_STU_ELA_C (the Infinite Campus connector maps no
 * EL status); co-teachers are PowerSchool SECTIONTEACHER rows (Aeries MST and Infinite Campus Section carry the
 * one teacher of record the connectors read).
 */
export const DEFECT_SIS: Partial<Record<DefectKind, readonly SisKind[]>> = {
  elas_tbd_overdue: ['aeries', 'powerschool'],
  duplicate_section_teacher: ['powerschool'],
};

/**
 * The defect kinds `defects: 'all'` injects into a district following `state`, written as `sis` (every SIS
 * given must carry the kind: both sides of a migration pair); without `sis`, every kind of the state.
 */
export function defectKindsFor(state: GeneratorState, sis: SisKind | readonly SisKind[] = []): DefectKind[] {
  const systems: readonly SisKind[] = typeof sis === 'string' ? [sis] : sis;
  return DEFECT_KINDS.filter(
    (k) =>
      (DEFECT_STATES[k]?.includes(state) ?? true) && systems.every((x) => DEFECT_SIS[k]?.includes(x) ?? true),
  );
}
export type DefectSpec = Partial<Record<DefectKind, number>>;

/** How each student's year goes. */
export type Scenario = 'continuing' | 'late_entry' | 'transfer' | 'withdrawn' | 'no_show' | 'pre_registered';

export interface InjectedDefect {
  kind: DefectKind;
  entity: CanonicalEntity;
  student_id?: string | null;
  school_id?: string;
  section_id?: string;
  source_key?: string;
  /** The other student record a pair defect involves: the duplicate_state_id partner, the same_name_birth_two_ids copy. */
  other_student_id?: string;
  detail: string;
}

/** Canonical values of one enrollment as every connector must map it (exit_date inclusive). */
export interface SampleEnrollment {
  school_id: string;
  entry_date: string;
  exit_date: string | null;
  grade_level: string;
  entry_code: string | null;
  exit_code: string | null;
  status: string;
}

export interface SampleStudent {
  scenario: Scenario;
  student_id: string;
  state_student_id: string | null;
  last_name: string;
  first_name: string;
  birth_date: string | null;
  sex: string;
  hispanic: boolean;
  races: string[];
  enrollments: SampleEnrollment[];
}

export type EntityCounts = Record<CanonicalEntity, number>;

/** A code crosswalk entry a district configures on a link (native value → canonical code). */
export interface CodeCrosswalkEntry {
  codeSet: CodeSet;
  sourceValue: string;
  canonicalValue: string;
}

export interface DistrictManifest {
  sis: SisKind;
  /** Whose conventions the data follows (grades, sex codes, state school ids). */
  state: GeneratorState;
  seed: string;
  schoolYear: number;
  asOf: string;
  /** Students requested (extra defect rows come on top). */
  students: number;
  /** Rows each extract query returns on the replica, per canonical entity. */
  counts: EntityCounts;
  /** Rows written per native table (soft-deleted rows included). */
  nativeRows: Record<string, number>;
  defects: InjectedDefect[];
  samples: SampleStudent[];
  /** sha256 of the manifest content above: equal seeds give equal hashes. */
  hash: string;
  /** The state's school directory file for the district (CA: CDE pubschls), to load as reference data. */
  stateDirectory: GeneratedDirectory | null;
  /**
   * Ed-Fi: the code crosswalk entries the district configures on its Ed-Fi link, mapping the descriptors of its
   * own namespace (CALPADS entry/exit and program codes) to canonical codes.
   */
  codeCrosswalks?: CodeCrosswalkEntry[];
  /** Ed-Fi: the folder the interchange files were written into. */
  dir?: string;
}

export interface GenerateDistrictOptions {
  /** `edfi`: XML interchange files into the folder given as the target, instead of a replica database. */
  sis: SisKind;
  students: number;
  seed: string | number;
  /** Start year of the school year (2026 = 2026-27); default: the current school year. */
  schoolYear?: number;
  /** Extraction date the data is consistent with; default `${schoolYear}-11-01`. */
  asOf?: string;
  /**
   * The state whose conventions the data follows; default CA. TX (PK instead of TK, sex F/M, 9-digit campus
   * ids) is written for Infinite Campus only: Aeries and PowerSchool's default grade maps are California's.
   */
  state?: GeneratorState;
  defects?: DefectSpec | 'all';
  /** Write the manifest JSON here too. */
  manifestPath?: string;
  /** Students generated and written per batch (memory bound). Default 1000. */
  batchSize?: number;
  /** Bulk load with COPY (default) or multi-row INSERT (e.g. for servers without COPY FROM STDIN). */
  method?: 'copy' | 'insert';
}

export const DIFFERENCE_KINDS = [
  'missing_in_new',
  'missing_in_old',
  'field_drift',
  /** The migration dropped last year's enrollment (history inside the comparison window). */
  'history_missing_in_new',
  /** Last year's enrollment arrived with another grade. */
  'history_drift',
  /** A program's start date moved by a week (dated comparison: one field difference). */
  'program_date_moved',
  /** The new SIS holds an exit before the entry (a connector that filtered by validity would lose it). */
  'exit_before_entry_new',
  /** A class the student still attends is dropped (ended) in the new SIS. */
  'section_dropped_new',
  /** A program running inside the window was not migrated. */
  'program_missing_in_new',
  /** A class's begin date moved (dated schedules on both sides only: no Aeries side, SEC has no dates). */
  'section_dates_moved',
  /** The old SIS held a birth date typed as year 2105, the new one the corrected date. */
  'odd_birth_date_changed',
  /** The new SIS holds an exit code its connector cannot map: one finding (the code), no cascade. */
  'unmapped_code_new',
  /** A renumbered student whose line is missing from the vendor's crosswalk (with `reidentify`). */
  'student_renumbered_unmapped',
  /** A re-ided staff member whose line is missing from the vendor's crosswalk (with `reidentify`). */
  'staff_renumbered_unmapped',
] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

/** What the comparison must report for one injected difference. */
export interface ExpectedReport {
  kind: 'missing_in_new' | 'missing_in_old' | 'field';
  entity: CanonicalEntity;
  field?: string;
  old?: string | null;
  new?: string | null;
}

export interface PairDifference {
  kind: DifferenceKind;
  entity: CanonicalEntity;
  /** The new SIS's ids (a staff difference names the staff member, student_id is then empty). */
  key: { state_student_id: string | null; student_id: string; staff_id?: string };
  field?: string;
  old?: string | null;
  new?: string | null;
  expect: ExpectedReport;
}

/** Things the comparison must NOT report (both sides hold them, or they lie outside the window). */
export const TRAP_KINDS = [
  'prior_year_history',
  'program_before_window',
  'alumnus_before_window',
  'dropped_section_both',
  'odd_birth_date_both',
  'exit_before_entry_both',
  'cds_vs_school_code',
  /** An enrollment two years back (outside the window): dropped by the migration, or changed. */
  'history_outside_window_dropped',
  'history_outside_window_changed',
  /** A program that ended before the window, not migrated. */
  'program_before_window_dropped',
  /** Classes ended at a withdrawal: PowerSchool CC turns them negative, IC ends them, Aeries SEC drops them. */
  'negative_cc_at_exit',
  /** Last year's graduates: Aeries derives status L, PowerSchool Enroll_Status 3, IC an E230 exit. */
  'graduated_status',
  /** The same unmapped exit code on both sides. */
  'unmapped_code_both',
  /** Re-identified records with the vendor's crosswalk configured (with `reidentify`). */
  'crosswalk_students',
  'crosswalk_schools',
  'crosswalk_sections',
  'crosswalk_staff',
] as const;
export type TrapKind = (typeof TRAP_KINDS)[number];

export interface PairTrap {
  kind: TrapKind;
  student_id: string | null;
  detail: string;
}

export interface PairManifest {
  oldSis: SisKind;
  newSis: SisKind;
  seed: string;
  schoolYear: number;
  asOf: string;
  students: number;
  old: DistrictManifest;
  new: DistrictManifest;
  differences: PairDifference[];
  /** Traps written on both sides (counted per kind; samples for the spec). */
  traps: PairTrap[];
  /**
   * With `reidentify`: the migration vendor's crosswalk files (CSV `old_id,new_id`) per id entity, as a
   * district would import them; the `*_renumbered_unmapped` differences are left out of them.
   */
  crosswalks: Partial<Record<'student' | 'school' | 'section' | 'staff', string>>;
  hash: string;
}
