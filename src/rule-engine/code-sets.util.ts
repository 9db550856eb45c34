import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectPath } from 'src/common/paths.util';
import { ExpressionError } from 'src/rule-engine/rule-engine.exception';

/**
 * State code tables shipped with the rule packs (`rules/code-sets/*.yaml`), e.g. TSDS C162 leaver reasons.
 * Rules name them instead of copying the codes: `exit_code in code_set('TX-C162')` in expressions and
 * `{{code_set:TX-C162}}` (a quoted, comma-separated list) in `sql` rules.
 */
export interface CodeSet {
  name: string;
  title: string;
  source: string;
  sourceUrl: string | null;
  codes: { code: string; description: string }[];
}

export const CODE_SETS_DIR = 'code-sets';
const NAME = /^[A-Z][A-Z0-9-]*$/;
const CODE = /^[A-Za-z0-9_-]+$/;

let cache: Map<string, CodeSet> | undefined;

/** Parses one code-set file; throws with the file and the offending entry. */
export function parseCodeSet(text: string, file: string): CodeSet {
  const doc = parse(text) as Record<string, unknown> | null;
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (!doc || typeof doc !== 'object') return fail('not a mapping');
  const name = doc.code_set;
  if (typeof name !== 'string' || !NAME.test(name)) return fail('code_set must be a name like TX-C162');
  if (typeof doc.title !== 'string' || typeof doc.source !== 'string')
    return fail('title and source are required');
  if (!Array.isArray(doc.codes) || doc.codes.length === 0) return fail('codes must be a non-empty list');
  const codes = doc.codes.map((c: unknown, i: number) => {
    const e = c as { code?: unknown; description?: unknown } | null;
    if (!e || typeof e.code !== 'string' || !CODE.test(e.code))
      return fail(`codes[${i}].code must be a quoted code of letters and digits`);
    return { code: e.code, description: typeof e.description === 'string' ? e.description : '' };
  });
  const seen = new Set<string>();
  for (const c of codes) {
    if (seen.has(c.code)) fail(`code ${c.code} is listed twice`);
    seen.add(c.code);
  }
  return {
    name,
    title: doc.title,
    source: doc.source,
    sourceUrl: typeof doc.source_url === 'string' ? doc.source_url : null,
    codes,
  };
}

/** Every code set under `dir` (default rules/code-sets), read once. */
export function loadCodeSets(dir: string = projectPath('rules', CODE_SETS_DIR)): Map<string, CodeSet> {
  if (cache && dir === projectPath('rules', CODE_SETS_DIR)) return cache;
  const out = new Map<string, CodeSet>();
  let names: string[] = [];
  try {
    names = readdirSync(dir)
      .filter((n) => /\.ya?ml$/.test(n))
      .sort();
  } catch {
    names = [];
  }
  for (const n of names) {
    const file = join(dir, n);
    const set = parseCodeSet(readFileSync(file, 'utf8'), file);
    if (out.has(set.name)) throw new Error(`${file}: code set ${set.name} is defined twice`);
    out.set(set.name, set);
  }
  if (dir === projectPath('rules', CODE_SETS_DIR)) cache = out;
  return out;
}

/** The codes of a shipped code set, or null when there is none of that name. */
export function codeSetCodes(name: string): string[] | null {
  return (
    loadCodeSets()
      .get(name)
      ?.codes.map((c) => c.code) ?? null
  );
}

/** Replaces each `{{code_set:NAME}}` of an `sql` rule by the set's codes as quoted literals ('01', '03', …). */
export function expandSqlCodeSets(sql: string): string {
  return sql.replace(/\{\{\s*code_set:([^}\s]*)\s*\}\}/g, (whole, name: string, at: number) => {
    const codes = codeSetCodes(name);
    if (!codes) throw new ExpressionError(`unknown code set '${name}' (rules/code-sets)`, sql, at);
    return codes.map((c) => `'${c}'`).join(', ');
  });
}
