import type { PairDifference } from 'connectors/generator/generator.types';
import type { TestApp } from 'test/helpers/app';

/** One difference as the comparison's API reports it. */
export interface ReportedDifference {
  entity: string;
  kind: 'missing_in_new' | 'missing_in_old' | 'field';
  key: Record<string, string | null>;
  field: string | null;
  oldValue: string | null;
  newValue: string | null;
}

/** The record an expected or reported difference is about: its student, or for staff its staff id. */
const recordId = (key: { student_id?: string | null; staff_id?: string | null }): string =>
  key.student_id || key.staff_id || '';

/** What the comparison reports for a planted difference, as one comparable string. */
export function expectedKey(d: PairDifference): string {
  const e = d.expect;
  return e.kind === 'field'
    ? `field|${e.entity}|${recordId(d.key)}|${e.field}|${e.old ?? ''}|${e.new ?? ''}`
    : `${e.kind}|${e.entity}|${recordId(d.key)}`;
}

/** A reported difference as the same comparable string. */
export function reportedKey(d: ReportedDifference): string {
  const sid = recordId(d.key);
  return d.kind === 'field'
    ? `field|${d.entity}|${sid}|${d.field}|${d.oldValue ?? ''}|${d.newValue ?? ''}`
    : `${d.kind}|${d.entity}|${sid}`;
}

/** Every difference of a run's comparison, read page by page through the API. */
export async function allDifferences(
  t: TestApp,
  districtId: string,
  runId: string,
  token: string,
): Promise<ReportedDifference[]> {
  const diffs: ReportedDifference[] = [];
  for (let page = 1; ; page++) {
    const r = await t.http
      .get(`/api/districts/${districtId}/runs/${runId}/comparison/differences?page=${page}`)
      .auth(token, { type: 'bearer' })
      .expect(200);
    const body = r.body as { items: ReportedDifference[]; total: number; pageSize: number };
    diffs.push(...body.items);
    if (page * body.pageSize >= body.total) return diffs;
  }
}
