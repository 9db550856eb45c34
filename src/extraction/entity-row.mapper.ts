import { CANONICAL_FIELDS, type CanonicalFieldType } from 'connectors/sdk/canonical';
import type {
  CanonicalRow,
  CanonicalValue,
  EntityExtractSpec,
  FieldSource,
  NativeRow,
  NativeValue,
} from 'connectors/sdk/connector.types';
import { naiveIso } from 'connectors/sdk/drivers/driver.util';
import type { CodeSet } from 'src/districts/district.types';
import { CodeLookup } from 'src/extraction/code-lookup.util';
import type { CodeMaps, ExtractionIssue, IssueKind } from 'src/extraction/extraction.types';
import { addDays, parseNativeDate } from 'src/extraction/native-date.util';
import { errorText } from 'src/common/error-text.util';

const MAX_DISTINCT_WARNINGS = 50;

interface Mapped {
  value: CanonicalValue;
  raw: CanonicalValue;
}

type FieldMapper = (native: NativeRow, sourceKey: string, issues: ExtractionIssue[]) => Mapped;

interface WarningCount {
  text: (n: number) => string;
  count: number;
}

const rows = (n: number): string => (n === 1 ? '1 row' : `${n} rows`);

/** Native text of a value: what the SIS holds, for `*_raw` columns and messages. */
export function nativeText(v: NativeValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return naiveIso(v, true);
  return String(v);
}

function trimmed(v: NativeValue | undefined): string | null {
  const t = nativeText(v)?.trim();
  return t ? t : null;
}

/**
 * Maps native rows of one entity to canonical rows (FieldSource semantics), collecting junk as issues and
 * aggregated warnings instead of failing. Compiled once per entity; `map` is called per row.
 */
export class EntityRowMapper {
  /** field, its mapper, and its `<field>_raw` column when the table has one (built once, not per row). */
  private readonly fields: [string, FieldMapper, string | null][] = [];
  private readonly warnings = new Map<string, WarningCount>();
  private readonly missingColumns = new Set<string>();
  private readonly keyColumns: string[];
  private readonly tableName: string;

  constructor(
    private readonly spec: EntityExtractSpec,
    codeMaps: CodeMaps,
    rawColumns: ReadonlySet<string>,
  ) {
    const types = CANONICAL_FIELDS[spec.entity];
    this.tableName = spec.nativeTables[0] ?? spec.keyPrefix;
    this.keyColumns = spec.keyColumns;
    for (const [field, source] of Object.entries(spec.fields)) {
      if (!source) continue;
      this.fields.push([
        field,
        this.compile(field, types[field], source, codeMaps),
        rawColumns.has(`${field}_raw`) ? `${field}_raw` : null,
      ]);
    }
  }

  map(native: NativeRow, issues: ExtractionIssue[]): CanonicalRow {
    const sourceKey = this.sourceKey(native, issues);
    const row: CanonicalRow = { source_key: sourceKey };
    for (const [field, mapper, rawColumn] of this.fields) {
      const m = mapper(native, sourceKey, issues);
      row[field] = m.value;
      if (rawColumn) row[rawColumn] = m.raw;
    }
    if (this.spec.refine) this.refine(row, native, sourceKey, issues);
    return row;
  }

  /** Aggregated warnings, most frequent first, e.g. `exit code 'X7' in ENR.ER has no canonical mapping (312 rows)`. */
  warningList(): string[] {
    const all = [...this.warnings.values()].sort((a, b) => b.count - a.count);
    const out = [...this.missingColumns].map(
      (c) => `column '${c}' is missing from the ${this.spec.entity} query result`,
    );
    out.push(...all.slice(0, MAX_DISTINCT_WARNINGS).map((w) => w.text(w.count)));
    if (all.length > MAX_DISTINCT_WARNINGS)
      out.push(`… and ${all.length - MAX_DISTINCT_WARNINGS} more distinct warnings`);
    return out;
  }

  private refine(row: CanonicalRow, native: NativeRow, sourceKey: string, issues: ExtractionIssue[]): void {
    try {
      this.spec.refine?.(row, native);
    } catch (err) {
      const message = `refine failed: ${errorText(err)}`;
      this.issue(
        issues,
        { sourceKey, field: '*', rawValue: null, kind: 'invalid_value', message },
        'refine',
        () => message,
      );
    }
  }

  private sourceKey(native: NativeRow, issues: ExtractionIssue[]): string {
    const parts: string[] = [];
    for (const col of this.keyColumns) {
      const v = trimmed(this.get(native, col));
      if (v === null) {
        const label = `${this.tableName}.${col.toUpperCase()}`;
        const message = `key column ${label} is empty`;
        this.issue(
          issues,
          { sourceKey: '', field: col, rawValue: null, kind: 'null_key', message },
          `null_key|${col}`,
          (n) => `${message} (${rows(n)})`,
        );
      }
      parts.push(`${col}=${v ?? ''}`);
    }
    const key = `${this.spec.keyPrefix}:${parts.join(';')}`;
    for (let i = issues.length - 1; i >= 0 && issues[i].sourceKey === ''; i--) issues[i].sourceKey = key;
    return key;
  }

  private get(native: NativeRow, column: string): NativeValue | undefined {
    const lc = column.toLowerCase();
    const v = native[lc] ?? native[column];
    if (v !== undefined) return v;
    for (const k of Object.keys(native)) if (k.toLowerCase() === lc) return native[k];
    this.missingColumns.add(lc);
    return undefined;
  }

  private issue(
    issues: ExtractionIssue[],
    issue: ExtractionIssue,
    key: string,
    text: (n: number) => string,
  ): void {
    issues.push(issue);
    const w = this.warnings.get(key);
    if (w) w.count += 1;
    else this.warnings.set(key, { text, count: 1 });
  }

  private label(source: { label?: string }, column: string): string {
    return source.label ?? `${this.tableName}.${column.toUpperCase()}`;
  }

  private compile(
    field: string,
    type: CanonicalFieldType,
    source: FieldSource,
    codeMaps: CodeMaps,
  ): FieldMapper {
    if ('value' in source) return () => ({ value: source.value, raw: null });
    if ('columns' in source) return this.compileColumns(field, type, source, codeMaps);
    const label = this.label(source, source.column);
    if ('codeSet' in source) return this.compileCode(field, source.column, source.codeSet, codeMaps, label);
    if ('bool' in source) return this.compileBool(field, source.column, source.bool, label);
    if ('date' in source || type === 'date') {
      const adjust = 'adjust' in source ? source.adjust : undefined;
      return this.compileDate(field, source.column, adjust === 'exclusive_end' ? -1 : 0, label);
    }
    return this.compilePlain(field, type, source.column, label);
  }

  private compileDate(field: string, column: string, shift: number, label: string): FieldMapper {
    return (native, sourceKey, issues) => {
      const v = this.get(native, column);
      const raw = nativeText(v);
      if (v === null || v === undefined || raw?.trim() === '') return { value: null, raw };
      const parsed = parseNativeDate(v);
      if (parsed.ok) return { value: shift ? addDays(parsed.date, shift) : parsed.date, raw };
      const what =
        parsed.kind === 'impossible_date' ? 'impossible date (a zero date before 1900)' : 'unreadable date';
      const message = `${what} '${raw}' in ${label}`;
      this.issue(
        issues,
        { sourceKey, field, rawValue: raw, kind: parsed.kind, message },
        `${parsed.kind}|${field}`,
        (n) => `${what} in ${label} (${rows(n)})`,
      );
      return { value: null, raw };
    };
  }

  private compileCode(
    field: string,
    column: string,
    codeSet: CodeSet,
    codeMaps: CodeMaps,
    label: string,
  ): FieldMapper {
    const lookup = new CodeLookup(codeSet, codeMaps[codeSet]);
    return (native, sourceKey, issues) => {
      const v = this.get(native, column);
      const raw = nativeText(v);
      const code = trimmed(v);
      if (code === null) return { value: null, raw };
      const value = lookup.lookup(code);
      if (value !== undefined) return { value, raw };
      this.unmapped(issues, sourceKey, field, codeSet, code, label);
      return { value: null, raw };
    };
  }

  private unmapped(
    issues: ExtractionIssue[],
    sourceKey: string,
    field: string,
    codeSet: CodeSet,
    code: string,
    label: string,
  ): void {
    const message = `${codeSet.replace(/_/g, ' ')} '${code}' in ${label} has no canonical mapping`;
    const kind: IssueKind = 'unmapped_code';
    this.issue(
      issues,
      { sourceKey, field, rawValue: code, kind, message },
      `${kind}|${field}|${label}|${code}`,
      (n) => `${message} (${rows(n)})`,
    );
  }

  private compileColumns(
    field: string,
    type: CanonicalFieldType,
    source: { columns: string[]; codeSet?: CodeSet; label?: string },
    codeMaps: CodeMaps,
  ): FieldMapper {
    const lookup = source.codeSet ? new CodeLookup(source.codeSet, codeMaps[source.codeSet]) : undefined;
    const codeSet = source.codeSet;
    return (native, sourceKey, issues) => {
      const raw: string[] = [];
      const value: string[] = [];
      for (const column of source.columns) {
        const code = trimmed(this.get(native, column));
        if (code === null) continue;
        raw.push(code);
        if (!lookup || !codeSet) {
          value.push(code);
          continue;
        }
        const mapped = lookup.lookup(code);
        if (mapped === undefined)
          this.unmapped(issues, sourceKey, field, codeSet, code, this.label(source, column));
        else if (!value.includes(mapped)) value.push(mapped);
      }
      if (type === 'text[]') return { value, raw };
      return { value: value[0] ?? null, raw: raw.length ? raw.join(',') : null };
    };
  }

  private compileBool(
    field: string,
    column: string,
    lists: { true: string[]; false: string[] },
    label: string,
  ): FieldMapper {
    const yes = new Set(lists.true.map((s) => s.trim().toUpperCase()));
    const no = new Set(lists.false.map((s) => s.trim().toUpperCase()));
    return (native, sourceKey, issues) => {
      const v = this.get(native, column);
      const raw = nativeText(v);
      const t = trimmed(v)?.toUpperCase() ?? null;
      if (t === null) return { value: null, raw };
      if (yes.has(t)) return { value: true, raw };
      if (no.has(t)) return { value: false, raw };
      this.invalid(issues, sourceKey, field, raw, label);
      return { value: null, raw };
    };
  }

  private invalid(
    issues: ExtractionIssue[],
    sourceKey: string,
    field: string,
    raw: string | null,
    label: string,
  ): void {
    const message = `unrecognised value '${raw ?? ''}' in ${label}`;
    this.issue(
      issues,
      { sourceKey, field, rawValue: raw, kind: 'invalid_value', message },
      `invalid_value|${field}|${raw ?? ''}`,
      (n) => `${message} (${rows(n)})`,
    );
  }

  private compilePlain(field: string, type: CanonicalFieldType, column: string, label: string): FieldMapper {
    return (native, sourceKey, issues) => {
      const v = this.get(native, column);
      const raw = nativeText(v);
      const t = trimmed(v);
      if (t === null) return { value: type === 'text[]' ? [] : null, raw };
      switch (type) {
        case 'text':
        case 'date':
          return { value: t, raw };
        case 'text[]':
          return { value: [t], raw };
        case 'int':
          if (/^-?\d{1,15}$/.test(t)) return { value: Number(t), raw };
          break;
        case 'bool': {
          const b = plainBool(v, t);
          if (b !== null) return { value: b, raw };
          break;
        }
      }
      this.invalid(issues, sourceKey, field, raw, label);
      return { value: null, raw };
    };
  }
}

function plainBool(v: NativeValue | undefined, t: string): boolean | null {
  if (typeof v === 'boolean') return v;
  const u = t.toUpperCase();
  if (['Y', 'YES', 'T', 'TRUE', '1'].includes(u)) return true;
  if (['N', 'NO', 'F', 'FALSE', '0'].includes(u)) return false;
  return null;
}
