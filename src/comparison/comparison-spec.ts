import type { CanonicalEntity } from 'connectors/sdk/canonical';
import type { ComparisonOptions, IdEntity } from 'src/comparison/comparison.types';

export interface KeyPart {
  field: string;
  /** The key part points at another entity: the old value is mapped to the new id first. */
  ref?: IdEntity;
}

export interface ReferenceCheck {
  field: string;
  entity: IdEntity;
  label: string;
}

/** How one canonical entity is matched between the old and the new snapshot. */
export interface EntityComparisonSpec {
  entity: CanonicalEntity;
  label: string;
  /** Identity entities (students, staff) are matched in passes over their identifiers. */
  identity?: {
    idField: string;
    idEntity: IdEntity;
    passes: keyof Pick<ComparisonOptions, 'studentKeys' | 'staffKeys'>;
  };
  key: KeyPart[];
  /**
   * Dated entities: records sharing a key are paired in the order of this date (then their row), so a record
   * whose date moved is one field difference, not a record missing on each side.
   */
  order?: string;
  /**
   * When one side's connector does not supply this end date (Aeries SEC holds only the live schedule), only the
   * records still running at the as-of date are compared: an ended record is history that side cannot hold.
   */
  liveUnlessDated?: string;
  /** Non-key fields pointing at another entity: mapped to new ids before comparing. */
  refs: Partial<Record<string, IdEntity>>;
  /** Where a record belongs for the per-school readiness: its own school_id, or its student's enrollment. */
  school: 'field' | 'enrollment' | 'none';
  /** Old records whose references the new SIS cannot resolve become warnings. */
  warning?: { describe: Array<{ field: string; label: string }>; checks: ReferenceCheck[] };
}

/** The table and id column of each referenced entity. */
export const ID_COLUMNS: Record<IdEntity, { table: string; column: string }> = {
  student: { table: 'snap_student', column: 'student_id' },
  school: { table: 'snap_school', column: 'school_id' },
  section: { table: 'snap_section', column: 'section_id' },
  staff: { table: 'snap_staff', column: 'staff_id' },
};

/** In dependency order: identity entities first, because the others map their student and staff ids through them. */
export const COMPARISON_SPECS: EntityComparisonSpec[] = [
  {
    entity: 'student',
    label: 'Student',
    identity: { idField: 'student_id', idEntity: 'student', passes: 'studentKeys' },
    key: [{ field: 'student_id', ref: 'student' }],
    refs: {},
    school: 'enrollment',
  },
  {
    entity: 'staff',
    label: 'Staff member',
    identity: { idField: 'staff_id', idEntity: 'staff', passes: 'staffKeys' },
    key: [{ field: 'staff_id', ref: 'staff' }],
    refs: {},
    school: 'none',
  },
  {
    entity: 'school',
    label: 'School',
    key: [{ field: 'school_id', ref: 'school' }],
    refs: {},
    school: 'none',
  },
  {
    entity: 'enrollment',
    label: 'Enrollment',
    // The school year keeps last year's and this year's records at one school apart: a migration that drops
    // last year's record is one missing record, not a chain of shifted pairs.
    key: [
      { field: 'student_id', ref: 'student' },
      { field: 'school_id', ref: 'school' },
      { field: 'school_year' },
    ],
    order: 'entry_date',
    refs: {},
    school: 'field',
    warning: {
      describe: [
        { field: 'school_id', label: 'school' },
        { field: 'student_id', label: 'student' },
      ],
      checks: [
        { field: 'school_id', entity: 'school', label: 'school' },
        { field: 'student_id', entity: 'student', label: 'student' },
      ],
    },
  },
  {
    entity: 'program',
    label: 'Program',
    key: [{ field: 'student_id', ref: 'student' }, { field: 'program_code' }],
    order: 'start_date',
    refs: { school_id: 'school' },
    school: 'field',
    warning: {
      describe: [
        { field: 'program_code', label: 'program' },
        { field: 'student_id', label: 'student' },
      ],
      checks: [{ field: 'student_id', entity: 'student', label: 'student' }],
    },
  },
  {
    entity: 'section',
    label: 'Section',
    key: [{ field: 'section_id', ref: 'section' }],
    refs: { school_id: 'school', teacher_staff_id: 'staff' },
    school: 'field',
    warning: {
      describe: [
        { field: 'section_id', label: 'section' },
        { field: 'teacher_staff_id', label: 'teacher' },
      ],
      checks: [
        { field: 'teacher_staff_id', entity: 'staff', label: 'teacher' },
        { field: 'school_id', entity: 'school', label: 'school' },
      ],
    },
  },
  {
    entity: 'student_section',
    label: 'Section enrollment',
    key: [
      { field: 'student_id', ref: 'student' },
      { field: 'section_id', ref: 'section' },
    ],
    order: 'begin_date',
    liveUnlessDated: 'end_date',
    refs: { school_id: 'school' },
    school: 'field',
    warning: {
      describe: [
        { field: 'section_id', label: 'section' },
        { field: 'student_id', label: 'student' },
      ],
      checks: [
        { field: 'section_id', entity: 'section', label: 'section' },
        { field: 'student_id', entity: 'student', label: 'student' },
      ],
    },
  },
  {
    entity: 'section_staff',
    label: 'Section staff assignment',
    key: [
      { field: 'section_id', ref: 'section' },
      { field: 'staff_id', ref: 'staff' },
    ],
    order: 'begin_date',
    liveUnlessDated: 'end_date',
    refs: { school_id: 'school' },
    school: 'field',
    warning: {
      describe: [
        { field: 'section_id', label: 'section' },
        { field: 'staff_id', label: 'staff member' },
      ],
      checks: [
        { field: 'section_id', entity: 'section', label: 'section' },
        { field: 'staff_id', entity: 'staff', label: 'staff member' },
      ],
    },
  },
];
