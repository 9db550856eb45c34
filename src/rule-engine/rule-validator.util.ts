import Ajv, { type ErrorObject } from 'ajv';
import { CANONICAL_ENTITIES, CANONICAL_FIELDS, type CanonicalEntity } from 'connectors/sdk/canonical';
import { RuleCompileError } from 'src/rule-engine/compiler/rule-fragments.util';
import { analyzeRule } from 'src/rule-engine/rule-compiler.service';
import { DATA_SET_KEYS, PACK_SCHEMA, RULE_SCHEMA } from 'src/rule-engine/rule-pack.schema';
import {
  CHECK_KINDS,
  DEFAULT_EXAMPLE_AS_OF,
  EDITIONS,
  isRowCheck,
  type CheckSpec,
  type EntityRows,
  type ExampleCase,
  type ExampleRecord,
  type RawCheck,
  type Rule,
  type RuleDefinition,
  type RuleLoadError,
  type RuleScope,
} from 'src/rule-engine/rule.types';

const ajv = new Ajv({ allErrors: true, strict: false });
const validateRuleSchema = ajv.compile<RuleDefinition>(RULE_SCHEMA);
const validatePackSchema = ajv.compile<{ pack: string; title: string; scope?: RuleScope; rules: unknown[] }>(
  PACK_SCHEMA,
);

/** A state pack (`ca`, `tx`: a two-letter state code) checks only rows reported to the state unless it says otherwise. */
export function defaultScope(pack: string): RuleScope {
  return /^[a-z]{2}$/.test(pack) ? 'state_reporting' : 'all';
}

interface Located {
  path: string;
  message: string;
}

class ValidationFailure extends Error {
  constructor(readonly issues: Located[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

function fail(path: string, message: string): never {
  throw new ValidationFailure([{ path, message }]);
}

function dotted(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((seg, i) => (/^\d+$/.test(seg) ? `[${seg}]` : `${i === 0 ? '' : '.'}${seg}`))
    .join('');
}

/** ajv errors as `path: message`, with enum choices and unknown keys spelled out. */
export function ajvIssues(errors: ErrorObject[] | null | undefined): Located[] {
  const out: Located[] = [];
  for (const e of errors ?? []) {
    if (e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    let path = dotted(e.instancePath) || '(rule)';
    let message = e.message ?? 'is invalid';
    if (e.propertyName !== undefined) {
      path = `${path}.${e.propertyName}`;
      message = path.startsWith('check.')
        ? `unknown check kind '${e.propertyName}' (kinds: ${CHECK_KINDS.join(', ')})`
        : 'unknown key';
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      message = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      path = path === '(rule)' ? key : `${path}.${key}`;
      message = 'unknown key';
    } else if (e.keyword === 'required') {
      const key = (e.params as { missingProperty: string }).missingProperty;
      path = path === '(rule)' ? key : `${path}.${key}`;
      message = 'is required';
    } else if (e.keyword === 'propertyNames') {
      continue;
    } else if (e.keyword === 'maxProperties' || e.keyword === 'minProperties') {
      if (path === 'check') message = `exactly one check kind is required (kinds: ${CHECK_KINDS.join(', ')})`;
    }
    if (!out.some((o) => o.path === path && o.message === message)) out.push({ path, message });
  }
  return out;
}

export function validatePackHeader(
  raw: unknown,
):
  | { ok: true; pack: string; title: string; scope: RuleScope; rules: unknown[] }
  | { ok: false; issues: Located[] } {
  if (!validatePackSchema(raw)) return { ok: false, issues: ajvIssues(validatePackSchema.errors) };
  return {
    ok: true,
    pack: raw.pack,
    title: raw.title,
    scope: raw.scope ?? defaultScope(raw.pack),
    rules: raw.rules,
  };
}

function normaliseCheck(c: RawCheck): CheckSpec {
  if (c.required) return { kind: 'required', fields: c.required };
  if (c.allowed) return { kind: 'allowed', field: c.allowed.field, values: c.allowed.values };
  if (c.pattern) return { kind: 'pattern', field: c.pattern.field, regex: c.pattern.regex };
  if (c.range)
    return { kind: 'range', field: c.range.field, min: c.range.min ?? null, max: c.range.max ?? null };
  if (c.compare) {
    const r = c.compare.right;
    return {
      kind: 'compare',
      left: c.compare.left,
      op: c.compare.op,
      right: typeof r === 'string' ? { field: r } : { value: r.value },
    };
  }
  if (c.expression !== undefined) return { kind: 'expression', expression: c.expression };
  if (c.unique) return { kind: 'unique', fields: c.unique.fields, where: c.unique.where ?? null };
  if (c.no_overlap) {
    const o = c.no_overlap;
    return { kind: 'no_overlap', key: o.key, start: o.start, end: o.end, where: o.where ?? null };
  }
  if (c.exists) {
    const x = c.exists;
    return {
      kind: 'exists',
      entity: x.entity,
      match: x.match,
      where: x.where ?? null,
      negate: x.negate ?? false,
    };
  }
  if (c.count_change) {
    const x = c.count_change;
    return {
      kind: 'count_change',
      groupBy: x.group_by ?? [],
      maxPercent: x.max_percent,
      minCount: x.min_count ?? 0,
    };
  }
  if (c.sql !== undefined) return { kind: 'sql', sql: c.sql };
  return fail('check', `exactly one check kind is required (kinds: ${CHECK_KINDS.join(', ')})`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function dateText(v: unknown, path: string): string {
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : v;
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(Date.parse(s)))
    fail(path, `${JSON.stringify(v)} is not a date (YYYY-MM-DD)`);
  return s;
}

/** An example record: only canonical fields of `entity`; dates as YYYY-MM-DD text. */
function exampleRecord(
  entity: CanonicalEntity,
  raw: unknown,
  path: string,
  extraKeys: readonly string[] = [],
): ExampleRecord {
  if (!isObject(raw)) fail(path, 'must be a record (a mapping of field: value)');
  const out: ExampleRecord = {};
  for (const [k, v] of Object.entries(raw)) {
    if (extraKeys.includes(k)) continue;
    const type = Object.prototype.hasOwnProperty.call(CANONICAL_FIELDS[entity], k)
      ? CANONICAL_FIELDS[entity][k]
      : undefined;
    if (!type) fail(`${path}.${k}`, `unknown field '${k}' of ${entity}`);
    if (v === null || v === undefined) out[k] = null;
    else if (type === 'date') out[k] = dateText(v, `${path}.${k}`);
    else if (type === 'text[]') {
      if (!Array.isArray(v)) fail(`${path}.${k}`, `${k} is a list; write [a, b]`);
      out[k] = v.map((x) => String(x));
    } else if (type === 'text') out[k] = v instanceof Date ? dateText(v, path) : String(v);
    else out[k] = v;
  }
  return out;
}

function recordList(entity: CanonicalEntity, raw: unknown, path: string): ExampleRecord[] {
  if (!Array.isArray(raw)) fail(path, `must be a list of ${entity} records`);
  return raw.map((r, i) => exampleRecord(entity, r, `${path}[${i}]`));
}

function entityRows(raw: unknown, path: string): EntityRows {
  if (raw === undefined) return {};
  if (!isObject(raw)) fail(path, 'must map entity names to lists of records');
  const out: EntityRows = {};
  for (const [name, rows] of Object.entries(raw)) {
    if (!(CANONICAL_ENTITIES as readonly string[]).includes(name))
      fail(`${path}.${name}`, `unknown entity '${name}'`);
    const entity = name as CanonicalEntity;
    out[entity] = recordList(entity, rows, `${path}.${name}`);
  }
  return out;
}

function exampleCases(def: RuleDefinition, check: CheckSpec): ExampleCase[] {
  const cases: ExampleCase[] = [];
  for (const expect of ['pass', 'fail'] as const) {
    def.examples[expect].forEach((raw, index) => {
      const path = `examples.${expect}[${index}]`;
      if (!isObject(raw)) fail(path, 'must be a mapping');
      const asOf = raw.as_of === undefined ? DEFAULT_EXAMPLE_AS_OF : dateText(raw.as_of, `${path}.as_of`);
      const today = raw.today === undefined ? null : dateText(raw.today, `${path}.today`);
      if (isRowCheck(check.kind)) {
        const record = exampleRecord(def.entity, raw, path, ['as_of', 'today']);
        cases.push({ expect, index, rows: [record], context: {}, previous: {}, failing: null, asOf, today });
        return;
      }
      for (const k of Object.keys(raw)) {
        if (!(DATA_SET_KEYS as readonly string[]).includes(k))
          fail(`${path}.${k}`, `unknown key; a data set holds ${DATA_SET_KEYS.join(', ')}`);
      }
      if (raw.rows === undefined) fail(`${path}.rows`, 'a set-level example needs rows');
      const previous = Array.isArray(raw.previous)
        ? { [def.entity]: recordList(def.entity, raw.previous, `${path}.previous`) }
        : entityRows(raw.previous, `${path}.previous`);
      const failing = raw.failing;
      if (
        failing !== undefined &&
        (typeof failing !== 'number' || !Number.isInteger(failing) || failing < 0)
      ) {
        fail(`${path}.failing`, 'must be a whole number ≥ 0');
      }
      cases.push({
        expect,
        index,
        rows: recordList(def.entity, raw.rows, `${path}.rows`),
        context: entityRows(raw.context, `${path}.context`),
        previous,
        failing: typeof failing === 'number' ? failing : null,
        asOf,
        today,
      });
    });
  }
  return cases;
}

function checkNeeds(def: RuleDefinition): string[] {
  return def.needs.map((n, i) => {
    const [entity, field] = n.includes('.') ? (n.split('.') as [string, string]) : [def.entity, n];
    if (!(CANONICAL_ENTITIES as readonly string[]).includes(entity))
      fail(`needs[${i}]`, `unknown entity '${entity}'`);
    if (!Object.prototype.hasOwnProperty.call(CANONICAL_FIELDS[entity as CanonicalEntity], field)) {
      fail(`needs[${i}]`, `unknown field '${field}' of ${entity}`);
    }
    return `${entity}.${field}`;
  });
}

function buildRule(def: RuleDefinition, pack: string, file: string, packScope: RuleScope): Rule {
  const check = normaliseCheck(def.check);
  const scope = def.scope ?? packScope;
  const base = { id: def.id, entity: def.entity, scope, when: def.when ?? null, check };
  const { reads } = analyzeRule(base);
  const needs = [...new Set([...checkNeeds(def), ...reads])].sort();
  return {
    ...base,
    pack,
    file,
    title: def.title,
    description: def.description ?? null,
    severity: def.severity,
    audience: def.audience,
    editions: def.editions ?? [...EDITIONS],
    sis: def.sis ?? [],
    needs,
    tolerance: { maxPercent: def.tolerance?.max_percent ?? 0 },
    source: def.source,
    sourceUrl: def.source_url ?? null,
    prescription: def.prescription.trim(),
    examples: exampleCases(def, check),
    definition: def,
  };
}

/** Schema + semantic validation of one rule (fields exist, expressions parse and type-check, examples well formed). */
export function validateRule(
  raw: unknown,
  pack: string,
  file: string,
  packScope: RuleScope = defaultScope(pack),
): { rule: Rule | null; errors: RuleLoadError[] } {
  const ruleId = isObject(raw) && typeof raw.id === 'string' ? raw.id : null;
  const toErrors = (issues: Located[]): RuleLoadError[] =>
    issues.map((i) => ({ file, ruleId, path: i.path, message: i.message }));
  if (!validateRuleSchema(raw)) return { rule: null, errors: toErrors(ajvIssues(validateRuleSchema.errors)) };
  try {
    return { rule: buildRule(raw, pack, file, packScope), errors: [] };
  } catch (err) {
    if (err instanceof ValidationFailure) return { rule: null, errors: toErrors(err.issues) };
    if (err instanceof RuleCompileError)
      return { rule: null, errors: toErrors([{ path: err.path, message: err.detail }]) };
    throw err;
  }
}
