import type {
  DirectoryParseResult,
  DirectoryProblem,
  DirectorySchool,
} from 'src/reference-data/state-directory.types';

/**
 * TEA's AskTED "Download School and District Data File" (CSV, quoted, a header row: County Number, County Name,
 * District Number, District Name, … School Number, School Name, School Status, … Grade Range, … Instruction
 * Type, Charter Type …). Columns are found by header name. What real downloads look like, and is handled:
 *
 * - numbers carry a leading apostrophe so spreadsheets keep their zeros ('101912041): it is dropped; the school
 *   code is the 9-digit campus id (county-district + campus number);
 * - a campus can be listed on several rows: the first row is kept, quietly when the repeats agree on the status,
 *   with a problem when they do not;
 * - School Status Active is open; Closed, Inactive and Under Construction (not serving students) are closed;
 *   School Status Date is the date of that status (the open date of an active campus, the closing date of a
 *   closed one), M/D/YYYY, blank or a single space when unknown;
 * - Grade Range is "'EE-05", "'09-12", "'EE-PK", "'KG-12" or one grade; EE (early education) is canonical PR;
 * - Instruction Type (REGULAR, ALTERNATIVE, DAEP, JJAEP INSTRUCTIONAL) is kept as the school type.
 */
const REQUIRED = ['School Number', 'School Name', 'School Status'] as const;

const STATUS: Record<string, 'open' | 'closed'> = {
  active: 'open',
  closed: 'closed',
  inactive: 'closed',
  'under construction': 'closed',
};

/** Splits one CSV line (RFC 4180 quoting; AskTED quotes every field). Null when a quote is left open. */
export function splitCsvLine(line: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted) return null;
  out.push(cur);
  return out;
}

const clean = (v: string | undefined): string => (v ?? '').trim().replace(/^'/, '').trim();

/** TSDS grade (C050) → canonical grade. */
function grade(token: string): string | null {
  const t = token.trim().toUpperCase();
  if (t === 'EE') return 'PR';
  if (t === 'PK' || t === 'KG') return t;
  if (t === 'K') return 'KG';
  if (/^\d{1,2}$/.test(t) && Number(t) >= 1 && Number(t) <= 12) return t.padStart(2, '0');
  return null;
}

/** "EE-05" → [PR, 05]; "'09-12" → [09, 12]; blank → nulls; anything else → null (reported). */
export function parseAskTedGradeRange(
  raw: string | undefined,
): { low: string | null; high: string | null } | null {
  const v = clean(raw);
  if (v === '') return { low: null, high: null };
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

/** AskTED dates are M/D/YYYY (sometimes with a time); blank = none. */
function parseDate(raw: string | undefined): string | null | undefined {
  const v = clean(raw);
  if (v === '') return null;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(v);
  if (m) return `${m[3]}-${m[1].padStart(2, '0')}-${m[2].padStart(2, '0')}`;
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
  return iso ? `${iso[1]}-${iso[2]}-${iso[3]}` : undefined;
}

export function parseAskTed(text: string): DirectoryParseResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const problems: DirectoryProblem[] = [];
  const schools: DirectorySchool[] = [];
  const header = (splitCsvLine(lines[0] ?? '') ?? []).map((h) => h.trim());
  const col = new Map(header.map((h, i) => [h.toLowerCase(), i]));
  const missing = REQUIRED.filter((c) => !col.has(c.toLowerCase()));
  if (missing.length) {
    problems.push({
      line: 1,
      message: `not a TEA AskTED school file: header lacks ${missing.join(', ')} (the CSV "Download School and District Data File" expected)`,
    });
    return { schools, problems };
  }
  const seen = new Map<string, DirectorySchool>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const lineNo = i + 1;
    const cells = splitCsvLine(line);
    if (!cells) {
      problems.push({ line: lineNo, message: 'unterminated quoted field' });
      continue;
    }
    const get = (name: string): string | undefined => {
      const idx = col.get(name.toLowerCase());
      return idx === undefined ? undefined : cells[idx];
    };
    const campus = clean(get('School Number'));
    if (!/^\d{9}$/.test(campus)) {
      problems.push({ line: lineNo, message: `School Number '${campus}' is not a 9-digit campus id` });
      continue;
    }
    const statusRaw = clean(get('School Status'));
    const status = STATUS[statusRaw.toLowerCase()];
    if (!status) {
      problems.push({
        line: lineNo,
        message: `School Status '${statusRaw}' is not Active, Closed, Inactive or Under Construction`,
      });
      continue;
    }
    const name = clean(get('School Name'));
    if (name === '') {
      problems.push({ line: lineNo, message: `campus ${campus} has no name` });
      continue;
    }
    const first = seen.get(campus);
    if (first) {
      if (first.status !== status)
        problems.push({
          line: lineNo,
          message: `campus ${campus} listed again with status ${statusRaw}; the first row (${first.status}) is kept`,
        });
      continue;
    }
    const rangeRaw = get('Grade Range');
    const span = parseAskTedGradeRange(rangeRaw);
    if (!span)
      problems.push({
        line: lineNo,
        message: `Grade Range '${clean(rangeRaw)}' not understood; loaded without one`,
      });
    const statusDate = parseDate(get('School Status Date'));
    if (statusDate === undefined)
      problems.push({ line: lineNo, message: 'School Status Date is not a date; loaded without it' });
    const school: DirectorySchool = {
      schoolCode: campus,
      fullCode: campus,
      name,
      districtName: clean(get('District Name')) || null,
      status,
      lowGrade: span?.low ?? null,
      highGrade: span?.high ?? null,
      schoolType: clean(get('Instruction Type')) || null,
      openDate: status === 'open' ? (statusDate ?? null) : null,
      closedDate: status === 'closed' ? (statusDate ?? null) : null,
    };
    seen.set(campus, school);
    schools.push(school);
  }
  return { schools, problems };
}
