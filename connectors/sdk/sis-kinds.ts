// The vocabulary a connector and the service share about an SIS: which product, how it is reached, which
// database driver speaks to it and which code sets it translates. It lives in the connector SDK because
// connectors never import from src/ (the service depends on connectors, not the other way round).

export const SIS_KINDS = ['aeries', 'powerschool', 'infinite_campus', 'edfi'] as const;
export type SisKind = (typeof SIS_KINDS)[number];

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
