import type { Pool } from 'pg';
import type {
  CanonicalRow,
  ConnectorDefinition,
  EntityExtractSpec,
  NativeRow,
  NativeValue,
} from 'connectors/sdk/connector.types';
import type { CanonicalEntity } from 'connectors/sdk/canonical';
import { DEFAULT_WINDOW_YEARS, windowParams } from 'connectors/sdk/window.util';

/**
 * Runs an entity's portable SQL on a PostgreSQL replica, binding :schoolYear/:asOf and the comparison window
 * (default: the current and prior year) as $n in order of appearance.
 */
export async function runExtract(
  pool: Pool,
  spec: EntityExtractSpec,
  params: { schoolYear: number; asOf: string; windowYears?: number },
): Promise<NativeRow[]> {
  const { text, values } = bindExtract(spec, params);
  const { rows } = await pool.query<NativeRow>(text, values);
  return rows;
}

/** An entity's portable SQL with its named parameters as $n, and the values in order. */
export function bindExtract(
  spec: EntityExtractSpec,
  params: { schoolYear: number; asOf: string; windowYears?: number },
): { text: string; values: Array<string | number> } {
  const sql = spec.query.variants?.postgres ?? spec.query.sql;
  const values: Record<string, string | number> = {
    ...windowParams(params.schoolYear, params.windowYears ?? DEFAULT_WINDOW_YEARS),
    asOf: params.asOf,
  };
  const order: string[] = [];
  const text = sql.replace(/:(schoolYear|asOf|firstYear|windowStart|windowEnd)\b/g, (_, name: string) => {
    if (!order.includes(name)) order.push(name);
    return `$${order.indexOf(name) + 1}`;
  });
  return { text, values: order.map((n) => values[n]) };
}

export function spec(def: ConnectorDefinition, entity: CanonicalEntity): EntityExtractSpec {
  const found = def.entities.find((e) => e.entity === entity);
  if (!found) throw new Error(`${def.kind} has no ${entity} spec`);
  return found;
}

/** Local calendar day of a pg date/timestamp (pg parses both as local midnight). */
export function day(v: NativeValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) {
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${v.getFullYear()}-${p(v.getMonth() + 1)}-${p(v.getDate())}`;
  }
  return String(v).slice(0, 10);
}

function addOneDay(iso: string, delta: number): string {
  const t = Date.parse(`${iso}T00:00:00Z`) + delta * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/**
 * A reference mapping of native rows through a connector's field specs and default code maps, used to check
 * the connector definitions independently of the extraction pipeline. Unmapped codes become null.
 */
export function canonicalize(
  def: ConnectorDefinition,
  s: EntityExtractSpec,
  native: NativeRow,
): CanonicalRow {
  const row: CanonicalRow = {};
  for (const [field, source] of Object.entries(s.fields)) {
    if (!source) continue;
    if ('value' in source) {
      row[field] = source.value;
    } else if ('columns' in source) {
      row[field] = source.columns
        .map((c) => native[c])
        .filter((v) => v !== null && v !== undefined && v !== '')
        .map(String);
    } else if ('date' in source) {
      const d = day(native[source.column]);
      row[field] = d && source.adjust === 'exclusive_end' ? addOneDay(d, -1) : d;
    } else if ('codeSet' in source) {
      const raw = native[source.column];
      row[field] =
        raw === null || raw === undefined
          ? null
          : (def.defaultCodeMaps[source.codeSet]?.[String(raw)] ?? null);
    } else if ('bool' in source) {
      const raw = native[source.column];
      const text = raw === null || raw === undefined ? null : String(raw);
      row[field] =
        text === null
          ? null
          : source.bool.true.includes(text)
            ? true
            : source.bool.false.includes(text)
              ? false
              : null;
    } else {
      const raw = native[source.column];
      row[field] = raw === null || raw === undefined ? null : raw instanceof Date ? day(raw) : String(raw);
    }
  }
  s.refine?.(row, native);
  return row;
}
