import type { CanonicalEntity } from 'connectors/sdk/canonical';
import type { NativeRow } from 'connectors/sdk/connector.types';
import type { EdfiApiReader } from 'connectors/sdk/drivers/edfi/edfi-api.reader';
import type { StudentRecord } from 'connectors/sdk/drivers/edfi/edfi-records';
import {
  mergeDemographics,
  studentRow,
  type Demographics,
  type EdfiRowAssembler,
  type SingleResourceKind,
} from 'connectors/sdk/drivers/edfi/edfi-row-assembler';

/** The change-tracking clock of an Ed-Fi link (see ChangeTracking): the ODS's newest change version. */
export const EDFI_CLOCK_QUERY = 'edfi:clock';
/** The `changes` query of an entity: `edfi-changes:<canonical entity>`, bound with `:since`. */
export const EDFI_CHANGES_PREFIX = 'edfi-changes:';

/**
 * The canonical entities read incrementally from Change Queries, and the record kind their rows are built
 * from. A student row is the Student joined with its StudentEducationOrganizationAssociations (demographics):
 * a change or delete of either re-reads that student. Enrollment, program, student section and staff rows are
 * each one record of one resource (StudentSchoolAssociation — it feeds no student column —, the program
 * associations, StudentSectionAssociation, Staff). School, section (Section + CourseOffering + Course + the
 * teacher of record from StaffSectionAssociation) and section staff (whose Ed-Fi key has no BeginDate, so a
 * delete cannot name the snapshot's row) are small and read in full on every run.
 */
export const EDFI_INCREMENTAL: Partial<Record<CanonicalEntity, SingleResourceKind | 'students'>> = {
  student: 'students',
  enrollment: 'studentSchools',
  program: 'studentPrograms',
  student_section: 'studentSections',
  staff: 'staff',
};

/** Changed students beyond which the student entity is read whole (one lookup per student costs more). */
export const STUDENT_LOOKUP_LIMIT = 2_000;
const LOOKUP_CONCURRENCY = 4;

const live = (row: NativeRow): NativeRow => ({ ...row, in_window: 1 });
const gone = (row: NativeRow): NativeRow => ({ ...row, in_window: 0 });

function noStudent(studentUniqueId: string): StudentRecord {
  return {
    origin: `students ${studentUniqueId}`,
    problems: [],
    studentUniqueId,
    firstName: null,
    middleName: null,
    lastSurname: null,
    birthDate: null,
    birthSex: null,
  };
}

/**
 * The `changes` rows of an entity for the window `minChangeVersion` .. the pinned version: every record changed
 * in it (`in_window` 1, replacing the base snapshot's row of its key) and every key deleted in it (`in_window`
 * 0, only removing the base's row). An Ed-Fi ODS has no window filter: every live record is in the extraction.
 */
export class EdfiChangeAssembler {
  constructor(
    private readonly reader: EdfiApiReader,
    private readonly assembler: EdfiRowAssembler,
    private readonly minChangeVersion: number,
  ) {}

  rows(entity: CanonicalEntity): AsyncIterable<NativeRow[]> {
    const kind = EDFI_INCREMENTAL[entity];
    if (!kind) throw new Error(`Ed-Fi ${entity} is not read incrementally`);
    return kind === 'students' ? this.students() : this.single(kind);
  }

  private async *single<K extends SingleResourceKind>(kind: K): AsyncGenerator<NativeRow[]> {
    for await (const batch of this.reader.readChanged(kind, this.minChangeVersion))
      yield batch.map((r) => live(this.assembler.row(kind, r)));
    for await (const batch of this.reader.readDeleted(kind, this.minChangeVersion))
      yield batch.map((r) => gone(this.assembler.row(kind, r)));
  }

  /**
   * Students touched in the window: changed or deleted Students, changed or deleted associations. Each is read
   * again by key with all its associations (demographics merge over every one, in the ODS's order), or removed
   * when the ODS no longer has it. Past STUDENT_LOOKUP_LIMIT the entity is read whole, plus the deletes.
   */
  private async *students(): AsyncGenerator<NativeRow[]> {
    const affected = new Set<string>();
    const fresh = new Map<string, StudentRecord>();
    const collect = async (): Promise<boolean> => {
      for await (const batch of this.reader.readChanged('students', this.minChangeVersion))
        for (const r of batch) {
          if (!r.studentUniqueId) continue;
          affected.add(r.studentUniqueId);
          fresh.set(r.studentUniqueId, r);
          if (affected.size > STUDENT_LOOKUP_LIMIT) return false;
        }
      const touched = [
        this.reader.readDeleted('students', this.minChangeVersion),
        this.reader.readChanged('studentEdOrgs', this.minChangeVersion),
        this.reader.readDeleted('studentEdOrgs', this.minChangeVersion),
      ];
      for (const source of touched)
        for await (const batch of source)
          for (const r of batch) {
            if (r.studentUniqueId) affected.add(r.studentUniqueId);
            if (affected.size > STUDENT_LOOKUP_LIMIT) return false;
          }
      return true;
    };
    if (!(await collect())) {
      fresh.clear();
      affected.clear();
      for await (const batch of this.reader.readDeleted('students', this.minChangeVersion))
        yield batch.map((r) => gone(studentRow(r, undefined)));
      for await (const batch of this.assembler.rows('student')) yield batch.map(live);
      return;
    }
    const ids = [...affected];
    let out: NativeRow[] = [];
    for (let i = 0; i < ids.length; i += LOOKUP_CONCURRENCY) {
      out.push(
        ...(await Promise.all(ids.slice(i, i + LOOKUP_CONCURRENCY).map((id) => this.student(id, fresh)))),
      );
      if (out.length >= 200) {
        yield out;
        out = [];
      }
    }
    if (out.length) yield out;
  }

  private async student(id: string, fresh: Map<string, StudentRecord>): Promise<NativeRow> {
    let rec = fresh.get(id);
    if (!rec)
      for await (const batch of this.reader.readWhere('students', { studentUniqueId: id }))
        rec ??= batch.find((r) => r.studentUniqueId === id);
    if (!rec) return gone(studentRow(noStudent(id), undefined));
    let demo: Demographics | undefined;
    for await (const batch of this.reader.readWhere('studentEdOrgs', { studentUniqueId: id }))
      for (const r of batch) if (r.studentUniqueId === id) demo = mergeDemographics(demo, r);
    return live(studentRow(rec, demo));
  }
}
