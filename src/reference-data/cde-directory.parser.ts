import type {
  DirectoryParseResult,
  DirectoryProblem,
  DirectorySchool,
} from 'src/reference-data/state-directory.types';

/**
 * CDE's public school directory ("pubschls", California School Directory download, tab-delimited with a
 * header row: CDSCode, NCESDist, NCESSchool, StatusType, County, District, School, … OpenDate, ClosedDate, …
 * SOCType, EdOpsCode, EILCode, GSoffered, GSserved …). Columns are found by their header name, so older and
 * newer layouts (AdmFName vs AdmFName1) both load.
 *
 * - the school code is the last 7 digits of the 14-digit CDSCode; district rows (school code 0000000) and the
 *   non-public placeholder 0000001 are skipped;
 * - StatusType Active and Pending are open (a pending school's OpenDate lies ahead), Closed and Merged closed;
 * - the grade span is GSoffered ("K-12", "9-12", "P-5", "Adult"), GSserved when GSoffered is blank.
 */
const REQUIRED = ['CDSCode', 'StatusType', 'School'] as const;

const STATUS: Record<string, 'open' | 'closed'> = {
  active: 'open',
  pending: 'open',
  closed: 'closed',
  merged: 'closed',
};

/** CDE grade tokens → canonical grades. */
function grade(token: string): string | null {
  const t = token.trim().toUpperCase();
  if (t === 'P' || t === 'PS') return 'PR';
  if (t === 'TK') return 'TK';
  if (t === 'K' || t === 'KN') return 'KG';
  if (t === 'ADULT' || t === 'AD') return 'AD';
  if (/^\d{1,2}$/.test(t) && Number(t) >= 1 && Number(t) <= 12) return t.padStart(2, '0');
  return null;
}

/** "K-12" → [KG, 12]; "Adult" → [AD, AD]; "No Data" / blank → nulls. */
export function parseGradeSpan(raw: string | undefined): { low: string | null; high: string | null } | null {
  const v = (raw ?? '').trim();
  if (v === '' || /^no data$/i.test(v) || v.toUpperCase() === 'NULL') return { low: null, high: null };
  const parts = v.split('-');
  if (parts.length === 1) {
    const g = grade(parts[0]);
    return g ? { low: g, high: g } : null;
  }
  if (parts.length !== 2) return null;
  const low = grade(parts[0]);
  const high = grade(parts[1]);
  return low && high ? { low, high } : null;
}

/** CDE dates are ISO (YYYY-MM-DD) in the download, M/D/YYYY in older Excel exports; "No Data"/blank = none. */
function parseDate(raw: string | undefined): string | null | undefined {
  const v = (raw ?? '').trim();
  if (v === '' || /^no data$/i.test(v) || v.toUpperCase() === 'NULL') return null;
  let m = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
  if (m) return `${m[1]}-${m[2]}-${m[3]}`;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (m) return `${m[3]}-${m[1].padStart(2, '0')}-${m[2].padStart(2, '0')}`;
  return undefined;
}

function blankToNull(v: string | undefined): string | null {
  const t = (v ?? '').trim();
  return t === '' || /^no data$/i.test(t) || t.toUpperCase() === 'NULL' ? null : t;
}

export function parseCdePubschls(text: string): DirectoryParseResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const problems: DirectoryProblem[] = [];
  const schools: DirectorySchool[] = [];
  const header = (lines[0] ?? '').split('\t').map((h) => h.trim());
  const col = new Map(header.map((h, i) => [h.toLowerCase(), i]));
  const missing = REQUIRED.filter((c) => !col.has(c.toLowerCase()));
  if (missing.length) {
    problems.push({
      line: 1,
      message: `not a CDE school directory file: header lacks ${missing.join(', ')} (tab-delimited pubschls expected)`,
    });
    return { schools, problems };
  }
  const seen = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const cells = line.split('\t');
    const get = (name: string): string | undefined => {
      const idx = col.get(name.toLowerCase());
      return idx === undefined ? undefined : cells[idx];
    };
    const lineNo = i + 1;
    const cds = (get('CDSCode') ?? '').trim();
    if (!/^\d{14}$/.test(cds)) {
      problems.push({ line: lineNo, message: `CDSCode '${cds}' is not 14 digits` });
      continue;
    }
    const schoolCode = cds.slice(7);
    if (schoolCode === '0000000' || schoolCode === '0000001') continue;
    const statusRaw = (get('StatusType') ?? '').trim();
    const status = STATUS[statusRaw.toLowerCase()];
    if (!status) {
      problems.push({
        line: lineNo,
        message: `StatusType '${statusRaw}' is not Active, Pending, Closed or Merged`,
      });
      continue;
    }
    const name = blankToNull(get('School'));
    if (!name) {
      problems.push({ line: lineNo, message: `school ${cds} has no name` });
      continue;
    }
    const spanRaw = blankToNull(get('GSoffered')) ?? blankToNull(get('GSserved')) ?? '';
    const span = parseGradeSpan(spanRaw);
    if (!span)
      problems.push({ line: lineNo, message: `grade span '${spanRaw}' not understood; loaded without one` });
    const openDate = parseDate(get('OpenDate'));
    const closedDate = parseDate(get('ClosedDate'));
    if (openDate === undefined || closedDate === undefined)
      problems.push({ line: lineNo, message: 'OpenDate/ClosedDate not a date; loaded without it' });
    if (seen.has(schoolCode)) {
      problems.push({
        line: lineNo,
        message: `school code ${schoolCode} listed twice; the first row is kept`,
      });
      continue;
    }
    seen.add(schoolCode);
    schools.push({
      schoolCode,
      fullCode: cds,
      name,
      districtName: blankToNull(get('District')),
      status,
      lowGrade: span?.low ?? null,
      highGrade: span?.high ?? null,
      schoolType: blankToNull(get('SOCType')) ?? blankToNull(get('EILName')),
      openDate: openDate ?? null,
      closedDate: closedDate ?? null,
    });
  }
  return { schools, problems };
}
