import { CANONICAL_GRADES, CANONICAL_SEX } from 'connectors/sdk/canonical';
import type { CodeSet } from 'src/districts/district.types';
import type { CodeMaps } from 'src/extraction/extraction.types';

/** Code sets whose canonical values form a closed list; a value outside it is never passed through. */
export const CLOSED_CODE_SETS: Partial<Record<CodeSet, readonly string[]>> = {
  grade_level: CANONICAL_GRADES,
  sex: CANONICAL_SEX,
};

/** District overrides laid over the connector's defaults, entry by entry. */
export function mergeCodeMaps(defaults: CodeMaps, overrides: CodeMaps): CodeMaps {
  const out: CodeMaps = {};
  for (const set of new Set([...Object.keys(defaults), ...Object.keys(overrides)]) as Set<CodeSet>) {
    out[set] = { ...(defaults[set] ?? {}), ...(overrides[set] ?? {}) };
  }
  return out;
}

/**
 * One code set's lookup: exact match on the trimmed code, then case-insensitive. A set with no entries at all
 * passes codes through unchanged (the state's code is the district's code), except closed sets, which accept
 * only canonical values.
 */
export class CodeLookup {
  private readonly exact = new Map<string, string>();
  private readonly folded = new Map<string, string>();
  private readonly closed?: ReadonlySet<string>;

  constructor(
    readonly codeSet: CodeSet,
    map: Record<string, string> | undefined,
  ) {
    for (const [k, v] of Object.entries(map ?? {})) {
      this.exact.set(k.trim(), v);
      this.folded.set(k.trim().toUpperCase(), v);
    }
    const closed = CLOSED_CODE_SETS[codeSet];
    if (closed) this.closed = new Set(closed);
  }

  /** The canonical value, or undefined when the code has no mapping. */
  lookup(code: string): string | undefined {
    const hit = this.exact.get(code) ?? this.folded.get(code.toUpperCase());
    if (hit !== undefined) return hit;
    if (this.exact.size > 0) return undefined;
    if (!this.closed) return code;
    return this.closed.has(code.toUpperCase()) ? code.toUpperCase() : undefined;
  }
}
