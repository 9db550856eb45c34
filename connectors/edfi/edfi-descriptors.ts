/**
 * Default maps from Ed-Fi descriptor URIs to canonical codes, for the Ed-Fi namespace (`uri://ed-fi.org/…`)
 * and TEA's (`uri://tea.texas.gov/…`). A descriptor is a code like any native one: districts override or
 * add entries per link through the crosswalks (`uri://gbisd.edu/GradeLevelDescriptor#K5` → `KG`), and a URI
 * with no entry is reported as unmapped with its row count.
 */
export const EDFI_NS = 'uri://ed-fi.org';
export const TEA_NS = 'uri://tea.texas.gov';

const uri = (ns: string, type: string, code: string): string => `${ns}/${type}#${code}`;

function mapOf(ns: string, type: string, entries: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).map(([code, v]) => [uri(ns, type, code), v]));
}

/** Codes that pass through as their CodeValue (the district's code, as for other SIS without a state list). */
function passThrough(ns: string, type: string, codes: readonly string[]): Record<string, string> {
  return Object.fromEntries(codes.map((c) => [uri(ns, type, c), c]));
}

const EDFI_GRADES: Record<string, string> = {
  'Infant/toddler': 'IT',
  Preschool: 'PR',
  'Early Education': 'PR',
  Prekindergarten: 'PK',
  'Preschool/Prekindergarten': 'PK',
  'Transitional Kindergarten': 'TK',
  Kindergarten: 'KG',
  'First grade': '01',
  'Second grade': '02',
  'Third grade': '03',
  'Fourth grade': '04',
  'Fifth grade': '05',
  'Sixth grade': '06',
  'Seventh grade': '07',
  'Eighth grade': '08',
  'Ninth grade': '09',
  'Tenth grade': '10',
  'Eleventh grade': '11',
  'Twelfth grade': '12',
  'Grade 13': '13',
  Ungraded: 'UG',
  'Adult Education': 'AD',
};

/** TEA's grade levels are the PEIMS codes (C050): EE early education, PK, KG, 01–12. */
const TEA_GRADES: Record<string, string> = {
  EE: 'PR',
  PK: 'PK',
  KG: 'KG',
  ...Object.fromEntries(
    Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0')).map((g) => [g, g]),
  ),
};

export const EDFI_EXIT_WITHDRAW_TYPES = [
  'Completed',
  'Died or is permanently incapacitated',
  'Dropout',
  'End of school year',
  'Enrolled in a high school diploma program',
  'Expelled',
  'Graduated',
  'Incarcerated',
  'Invalid enrollment',
  'Involuntarily Removed',
  'No show',
  'Other',
  'Reached maximum age',
  'Transferred',
  'Withdrawn',
] as const;

export const EDFI_ENTRY_TYPES = [
  'Transfer from a public school in the same local education agency',
  'Transfer from a public school in a different local education agency in the same state',
  'Transfer from a public school in a different state',
  'Transfer from a private, non-religiously-affiliated school',
  'Transfer from a private, religiously-affiliated school',
  'Transfer from home schooling',
  'Original entry into a United States school',
  'Re-entry from the same school with no interruption of schooling',
  'Re-entry after a voluntary withdrawal',
  'Re-entry after an involuntary withdrawal',
  'Next year school',
  'Other',
] as const;

export const EDFI_PROGRAM_TYPES = [
  'Adult/Continuing Education',
  'Alternative Education',
  'Athletics',
  'Bilingual',
  'Bilingual Summer',
  'Career and Technical Education',
  'Cocurricular Programs',
  'College Preparatory',
  'Community Service Program',
  'Community/Junior College Education Program',
  'Compensatory Services for Disadvantaged Students',
  'Counseling Services',
  'District-Funded GED',
  'Early Head Start',
  'Early Intervention Services Part C',
  'English as a Second Language (ESL)',
  'Even Start',
  'Expelled Education',
  'Extended Day/Child Care Services',
  'Fee For Service',
  'Foreign Exchange',
  'Gifted and Talented',
  'Head Start',
  'Health Services Program',
  'High School Equivalency Program (HSEP)',
  'Home Visiting',
  'Homeless',
  'IDEA',
  'Immigrant Education',
  'Independent Study',
  'Indian Education',
  'International Baccalaureate',
  'Kindergarten - Extended Day',
  'Kindergarten - Full Day',
  'Kindergarten - Half Day',
  'Library/Media Services Program',
  'Magnet/Special Program Emphasis',
  'Migrant Education',
  'Neglected and Delinquent Program',
  'Optional Flexible School Day Program (OFSDP)',
  'Other',
  'Prekindergarten - Extended Day',
  'Prekindergarten - Full Day',
  'Prekindergarten - Half Day',
  'Preschool Special Education',
  'Public Preschool',
  'Regular Education',
  'Remedial Education',
  'Section 504 Placement',
  'Service Learning',
  'Special Education',
  'Student Retention/Dropout Prevention',
  'Student School Food Service',
  'Substance Abuse Education/Prevention',
  'Support',
  'Teacher Professional Development/Mentoring',
  'Technical Preparatory',
  'Title I Part A',
  'Title I Part D Subpart 1',
  'Title I Part D Subpart 2',
  'Vocational Education',
] as const;

/** PEIMS leaver reason codes (C162), as TEA's LeaverReasonDescriptor carries them. */
export const PEIMS_LEAVER_CODES = [
  '01',
  '03',
  '04',
  '05',
  '06',
  '07',
  '08',
  '10',
  '14',
  '15',
  '16',
  '21',
  '22',
  '24',
  '60',
  '66',
  '78',
  '81',
  '82',
  '83',
  '85',
  '86',
  '87',
  '88',
  '89',
  '90',
  '98',
] as const;

/** Canonical enrollment statuses, derived by the connector from dates and exit types. */
const STATUSES = ['active', 'inactive', 'pre_registered', 'graduated', 'no_show'] as const;

export const EDFI_DEFAULT_CODE_MAPS = {
  grade_level: {
    ...mapOf(EDFI_NS, 'GradeLevelDescriptor', EDFI_GRADES),
    ...mapOf(TEA_NS, 'GradeLevelDescriptor', TEA_GRADES),
  },
  sex: {
    ...mapOf(EDFI_NS, 'SexDescriptor', { Female: 'F', Male: 'M', 'Non-binary': 'X', 'Not Selected': 'U' }),
    ...mapOf(TEA_NS, 'SexDescriptor', { F: 'F', M: 'M' }),
  },
  entry_code: passThrough(EDFI_NS, 'EntryTypeDescriptor', EDFI_ENTRY_TYPES),
  exit_code: passThrough(EDFI_NS, 'ExitWithdrawTypeDescriptor', EDFI_EXIT_WITHDRAW_TYPES),
  program_code: passThrough(EDFI_NS, 'ProgramTypeDescriptor', EDFI_PROGRAM_TYPES),
  enrollment_status: Object.fromEntries(STATUSES.map((s) => [s, s])),
};

/**
 * Texas: exit codes are PEIMS leaver reasons. Core Ed-Fi exit/withdraw types are not leaver codes, so only
 * TEA's LeaverReasonDescriptor (TX extension) maps; a core exit type is reported as unmapped, by URI.
 */
export const EDFI_TX_CODE_MAPS = {
  exit_code: {
    ...passThrough(TEA_NS, 'LeaverReasonDescriptor', PEIMS_LEAVER_CODES),
    ...passThrough(TEA_NS, 'ExitWithdrawTypeDescriptor', PEIMS_LEAVER_CODES),
  },
  program_code: {
    ...passThrough(EDFI_NS, 'ProgramTypeDescriptor', EDFI_PROGRAM_TYPES),
  },
};
