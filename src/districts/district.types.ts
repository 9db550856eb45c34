export const EDITIONS = ['full', 'state_reporting'] as const;
export type Edition = (typeof EDITIONS)[number];

export const US_STATES = ['CA', 'TX'] as const;

/** A yearly window, month-day inclusive on both ends, e.g. { from: '06-15', to: '08-10', reason: 'summer' }. */
export interface SeasonWindow {
  from: string;
  to: string;
  reason: string;
}

export const STUDENT_MATCH_KEYS = ['state_student_id', 'student_id'] as const;
export const STAFF_MATCH_KEYS = ['state_staff_id', 'staff_id'] as const;

/**
 * How a migration comparison matches people for this district, in pass order; absent = the service default
 * (COMPARISON_STUDENT_KEYS; state id then district id for staff). A district whose state ids are unreliable
 * matches on the district id alone.
 */
export interface ComparisonKeys {
  studentKeys?: Array<(typeof STUDENT_MATCH_KEYS)[number]>;
  staffKeys?: Array<(typeof STAFF_MATCH_KEYS)[number]>;
}

export const CONTACT_KINDS = ['administrative', 'technical', 'data'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

export const SIS_KINDS = ['aeries', 'powerschool', 'infinite_campus', 'edfi'] as const;
export type SisKind = (typeof SIS_KINDS)[number];

export const LINK_ROLES = ['current', 'new', 'old'] as const;
export type LinkRole = (typeof LINK_ROLES)[number];

export const TRANSPORTS = ['direct', 'agent'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** `edfi_api`: an Ed-Fi ODS/API (v5–v7); `edfi_xml`: a folder of Ed-Fi XML interchange files. */
export const DRIVER_KINDS = ['pg', 'mssql', 'oracle', 'edfi_api', 'edfi_xml'] as const;
export type DriverKind = (typeof DRIVER_KINDS)[number];

export const CODE_SETS = [
  'grade_level',
  'sex',
  'entry_code',
  'exit_code',
  'program_code',
  'enrollment_status',
] as const;
export type CodeSet = (typeof CODE_SETS)[number];
