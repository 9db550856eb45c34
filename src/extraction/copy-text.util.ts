import type { CanonicalValue } from 'connectors/sdk/connector.types';

/** Column kinds of a snap_* table, as COPY must spell their values. */
export type CopyColumnType = 'text' | 'int' | 'date' | 'bool' | 'text[]';

export interface CopyColumn {
  name: string;
  type: CopyColumnType;
}

const SPECIAL = /[\\\n\r\t\0]/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const INT = /^-?\d{1,18}$/;
export const COPY_NULL = '\\N';

/** Escapes a value for COPY … FROM STDIN text format; NUL bytes (which PostgreSQL text cannot hold) are dropped. */
export function escapeCopyText(s: string): string {
  if (!SPECIAL.test(s)) return s;
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\0':
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/** A PostgreSQL array literal of text elements, every element quoted. */
export function textArrayLiteral(items: readonly string[]): string {
  return `{${items.map((s) => `"${s.replace(/\0/g, '').replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** One value in COPY text form; a value that does not fit the column's type becomes NULL. */
export function encodeCopyValue(v: CanonicalValue | undefined, type: CopyColumnType): string {
  if (v === null || v === undefined) return COPY_NULL;
  switch (type) {
    case 'text':
      return escapeCopyText(Array.isArray(v) ? v.join(',') : String(v));
    case 'int':
      if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : COPY_NULL;
      return typeof v === 'string' && INT.test(v.trim()) ? v.trim() : COPY_NULL;
    case 'bool':
      return typeof v === 'boolean' ? (v ? 't' : 'f') : COPY_NULL;
    case 'date':
      return typeof v === 'string' && ISO_DATE.test(v) ? v : COPY_NULL;
    case 'text[]':
      return escapeCopyText(textArrayLiteral(Array.isArray(v) ? v : [String(v)]));
  }
}

/** One COPY line (with its newline) from leading fixed values and the row's columns. */
export function encodeCopyLine(
  prefix: string,
  row: Record<string, CanonicalValue>,
  columns: readonly CopyColumn[],
): string {
  let line = prefix;
  for (const c of columns) line += `\t${encodeCopyValue(row[c.name], c.type)}`;
  return `${line}\n`;
}

const UNESCAPE: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** The inverse of encodeCopyLine for one line (without its newline): fields, `\\N` as null. */
export function parseCopyLine(line: string): Array<string | null> {
  return line.split('\t').map((field) => {
    if (field === COPY_NULL) return null;
    return field.replace(/\\([0-7]{1,3}|.)/g, (_, c: string) =>
      /^[0-7]+$/.test(c) ? String.fromCharCode(parseInt(c, 8)) : (UNESCAPE[c] ?? c),
    );
  });
}
