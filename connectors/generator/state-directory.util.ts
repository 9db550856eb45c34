import type { ModelDistrict, ModelGrade } from 'connectors/generator/district-model.util';

/**
 * The state's public school directory for a generated district, in the state's own file format, so specs and
 * the demo load it like a district would (`sis-certify reference load`). California: CDE's pubschls layout
 * (tab-delimited, the header of the real download). The directory agrees with the SIS (codes, spans, the
 * closed school); defects live in the SIS data, which the directory-based rules then find.
 */
const PUBSCHLS_HEADER = [
  'CDSCode',
  'NCESDist',
  'NCESSchool',
  'StatusType',
  'County',
  'District',
  'School',
  'Street',
  'City',
  'Zip',
  'State',
  'OpenDate',
  'ClosedDate',
  'Charter',
  'DOC',
  'DOCType',
  'SOC',
  'SOCType',
  'EdOpsCode',
  'EILCode',
  'GSoffered',
  'GSserved',
  'Virtual',
  'LastUpdate',
];

/** Canonical model grade → CDE grade token (TK is part of kindergarten, preschool is P). */
function cdeGrade(g: ModelGrade): string {
  if (g === 'TK' || g === 'KG') return 'K';
  if (g === 'PK') return 'P';
  return String(Number(g));
}

const SOC_TYPE = {
  elementary: ['60', 'Elementary Schools (Public)', 'ELEM'],
  middle: ['62', 'Intermediate/Middle Schools (Public)', 'INTMIDJR'],
  high: ['66', 'High Schools (Public)', 'HS'],
} as const;

export interface GeneratedDirectory {
  /** A key of the service's directory formats. */
  format: 'cde-pubschls';
  fileName: string;
  content: string;
}

/** The directory file of a California district; null for other states (their format is their own). */
export function stateDirectoryFile(d: ModelDistrict): GeneratedDirectory | null {
  if (d.state !== 'CA') return null;
  const lines = [PUBSCHLS_HEADER.join('\t')];
  for (const s of d.schools) {
    const [soc, socType, eil] = SOC_TYPE[s.level];
    const span = `${cdeGrade(s.low)}-${cdeGrade(s.high)}`;
    const row: Record<string, string> = {
      CDSCode: s.cds,
      StatusType: s.active ? 'Active' : 'Closed',
      County: 'Generated',
      District: `District ${d.districtCode}`,
      School: s.name,
      State: 'CA',
      OpenDate: '1990-07-01',
      ClosedDate: s.active ? '' : `${d.calendar.firstDay.slice(0, 4)}-06-30`,
      Charter: '0',
      DOC: '54',
      DOCType: 'Unified School District',
      SOC: soc,
      SOCType: socType,
      EdOpsCode: 'TRAD',
      EILCode: eil,
      GSoffered: span,
      GSserved: span,
      Virtual: 'N',
      LastUpdate: d.calendar.firstDay,
    };
    lines.push(PUBSCHLS_HEADER.map((h) => row[h] ?? '').join('\t'));
  }
  return {
    format: 'cde-pubschls',
    fileName: `pubschls-${d.districtCode}.txt`,
    content: `${lines.join('\n')}\n`,
  };
}
