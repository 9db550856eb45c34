// The SIS vocabulary (kinds, transports, drivers, code sets) is defined by the connector SDK.
export {
  CODE_SETS,
  DRIVER_KINDS,
  SIS_KINDS,
  TRANSPORTS,
  type CodeSet,
  type DriverKind,
  type SisKind,
  type Transport,
} from 'connectors/sdk/sis-kinds';

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

export const LINK_ROLES = ['current', 'new', 'old'] as const;
export type LinkRole = (typeof LINK_ROLES)[number];
