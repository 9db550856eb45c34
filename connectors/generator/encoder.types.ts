import type { EntityCounts } from 'connectors/generator/generator.types';
import type { ModelDistrict, ModelStudent } from 'connectors/generator/district-model.util';
import type { TableSink } from 'connectors/generator/replica-writer.util';
import type { SisKind } from 'connectors/sdk/sis-kinds';

/** Turns the canonical district into one SIS's native rows (the inverse of that connector's mapping). */
export interface SisEncoder {
  readonly sis: SisKind;
  /** Native table → columns written, in COPY order. */
  readonly tables: Record<string, readonly string[]>;
  /** Rows each extract query will return, per canonical entity, for what was written so far. */
  readonly counts: EntityCounts;
  writeDistrict(d: ModelDistrict, sink: TableSink): void;
  writeStudent(d: ModelDistrict, s: ModelStudent, sink: TableSink): void;
}

export function emptyCounts(): EntityCounts {
  return {
    school: 0,
    student: 0,
    enrollment: 0,
    program: 0,
    section: 0,
    student_section: 0,
    staff: 0,
    section_staff: 0,
  };
}

/** Inverse of a default code map: canonical → native. `prefer` picks among several native spellings. */
export function invertMap(
  map: Record<string, string>,
  prefer: (native: string) => boolean = () => true,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [native, canonical] of Object.entries(map)) {
    if (!(canonical in out) || (prefer(native) && !prefer(out[canonical]))) out[canonical] = native;
  }
  return out;
}
