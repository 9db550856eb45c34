import { getConnector, suppliedFields } from 'connectors/index';
import { CANONICAL_ENTITIES, type CanonicalEntity } from 'connectors/sdk/canonical';
import type { FieldNotSupplied } from 'connectors/sdk/native-schema';
import type { ComparisonOptions } from 'src/comparison/comparison.types';
import type { RunsEnv } from 'src/config/runs-env.dto';
import type { ComparisonKeys } from 'src/districts/district.types';

/** Fields every side's connector supplies: a field one SIS does not have is no difference. */
export function commonFields(kinds: string[]): Partial<Record<CanonicalEntity, string[]>> {
  const supplied = kinds.map((k) => suppliedFields(getConnector(k)));
  return Object.fromEntries(
    CANONICAL_ENTITIES.map((e) => [
      e,
      supplied.reduce((acc, s) => acc.filter((f) => s[e].includes(f)), supplied[0]?.[e] ?? []),
    ]),
  );
}

/**
 * The comparison options of a migration run: the district's own match keys where it set them, else the
 * service's (COMPARISON_STUDENT_KEYS; staff by the comparison default), the fields both SIS supply, and the
 * storage bound.
 */
export function runComparisonOptions(
  env: Pick<RunsEnv, 'COMPARISON_STUDENT_KEYS' | 'COMPARISON_MAX_DIFFERENCES'>,
  keys: ComparisonKeys | null,
  sisKinds: string[],
): Partial<ComparisonOptions> {
  return {
    studentKeys:
      keys?.studentKeys ?? (env.COMPARISON_STUDENT_KEYS.split(',') as ComparisonOptions['studentKeys']),
    ...(keys?.staffKeys ? { staffKeys: keys.staffKeys } : {}),
    maxDifferences: env.COMPARISON_MAX_DIFFERENCES,
    fields: commonFields(sisKinds),
  };
}

/** Fields per entity minus those a SIS schema does not supply (schema discovery). */
export function withoutFields(
  fields: Partial<Record<CanonicalEntity, readonly string[]>>,
  notSupplied: readonly FieldNotSupplied[],
): Partial<Record<CanonicalEntity, string[]>> {
  const out: Partial<Record<CanonicalEntity, string[]>> = {};
  for (const [entity, list] of Object.entries(fields) as [CanonicalEntity, readonly string[]][])
    out[entity] = list.filter((f) => !notSupplied.some((n) => n.entity === entity && n.field === f));
  return out;
}
