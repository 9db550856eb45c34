import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { CALPADS_EXIT_CODES, CA_PROGRAM_CODES } from 'connectors/aeries/aeries.connector';
import { EDFI_DEFAULT_CODE_MAPS, EDFI_NS } from 'connectors/edfi/edfi-descriptors';
import {
  gradeInSpan,
  gradeOrder,
  type ModelDistrict,
  type ModelEnrollment,
  type ModelStudent,
} from 'connectors/generator/district-model.util';
import { emptyCounts, invertMap } from 'connectors/generator/encoder.types';
import type { CodeCrosswalkEntry, EntityCounts } from 'connectors/generator/generator.types';
import { CALPADS_ENTRY_CODES } from 'connectors/powerschool/powerschool.connector';

/**
 * Writes the canonical district as Ed-Fi XML bulk interchange files, the contract being what the Ed-Fi
 * connector reads (`connectors/sdk/drivers/edfi/xml-records.ts`) in the shapes of the Grand Bend sample:
 * EducationOrganization (School, Course), Student, StudentEnrollment (StudentEducationOrganizationAssociation,
 * StudentSchoolAssociation, StudentSectionAssociation), StudentProgram, MasterSchedule (CourseOffering,
 * Section) and StaffAssociation (Staff, StaffSectionAssociation). Element by element onto file streams: one
 * record's text at a time, never the district.
 *
 * Descriptors: grade levels and sex are Ed-Fi URIs, the inverse of the connector's default descriptor maps
 * (`uri://ed-fi.org/GradeLevelDescriptor#Fifth grade`). California's codes Ed-Fi has no descriptor for (CALPADS
 * entry/exit codes, program codes, races, ELAS, home language) are published in the district's own namespace
 * (`uri://district-<code>.example.org/ExitWithdrawTypeDescriptor#T160`), as a district's SIS publishes its local
 * codes; `codeCrosswalks` lists the entries the district configures on its Ed-Fi link to map them. The exit
 * CodeValues of a no-show and a graduate are `No show` and `Graduated`, from which the connector derives the
 * status. A code outside those lists (an unmapped exit code) is written in the same namespace without an entry.
 *
 * The ODS holds the comparison window's years: records lying wholly before it (alumni, programs ended before
 * the window, enrollments two years back) are not published.
 */
export const EDFI_FILES = {
  InterchangeEducationOrganization: 'EducationOrganization.xml',
  InterchangeStudent: 'Student.xml',
  InterchangeStudentEnrollment: 'StudentEnrollment.xml',
  InterchangeStudentProgram: 'StudentProgram.xml',
  InterchangeMasterSchedule: 'MasterSchedule.xml',
  InterchangeStaffAssociation: 'StaffAssociation.xml',
} as const;
type Interchange = keyof typeof EDFI_FILES;

const XML_NS = 'http://ed-fi.org/5.0.0';

const escape = (v: string): string =>
  v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An element tree: text, or children (nulls and empty children are left out). */
type Node = [string, string | number | null | undefined | Node[]];

function render(node: Node, depth: number): string {
  const [name, content] = node;
  if (content === null || content === undefined) return '';
  const pad = '\t'.repeat(depth);
  if (!Array.isArray(content)) return `${pad}<${name}>${escape(String(content))}</${name}>\n`;
  const inner = content.map((c) => render(c, depth + 1)).join('');
  return inner ? `${pad}<${name}>\n${inner}${pad}</${name}>\n` : '';
}

/** Ed-Fi descriptor URIs of the connector's default maps, inverted (canonical → Ed-Fi namespace URI). */
function edfiInverse(map: Record<string, string>): Record<string, string> {
  return invertMap(Object.fromEntries(Object.entries(map).filter(([uri]) => uri.startsWith(`${EDFI_NS}/`))));
}
const GRADE_URI = edfiInverse(EDFI_DEFAULT_CODE_MAPS.grade_level);
const SEX_URI = edfiInverse(EDFI_DEFAULT_CODE_MAPS.sex);

/** CodeValues the connector reads the status from (a no-show, a graduate). */
const EXIT_CODE_VALUES: Record<string, string> = { N470: 'No show', E230: 'Graduated' };

/** The district's own descriptor namespace. */
export function edfiDistrictNamespace(d: ModelDistrict): string {
  return `uri://district-${d.countyCode}${d.districtCode}.example.org`;
}

/** The code crosswalk entries the district configures on its Ed-Fi link for its own namespace. */
export function edfiCodeCrosswalks(d: ModelDistrict): CodeCrosswalkEntry[] {
  const ns = edfiDistrictNamespace(d);
  return [
    ...CALPADS_ENTRY_CODES.map((c) => ({
      codeSet: 'entry_code' as const,
      sourceValue: `${ns}/EntryTypeDescriptor#${c}`,
      canonicalValue: c,
    })),
    ...CALPADS_EXIT_CODES.map((c) => ({
      codeSet: 'exit_code' as const,
      sourceValue: `${ns}/ExitWithdrawTypeDescriptor#${EXIT_CODE_VALUES[c] ?? c}`,
      canonicalValue: c,
    })),
    ...CA_PROGRAM_CODES.map((c) => ({
      codeSet: 'program_code' as const,
      sourceValue: `${ns}/ProgramTypeDescriptor#${c}`,
      canonicalValue: c,
    })),
  ];
}

/** The Ed-Fi natural key the connector uses as section id (school|year|session|course|identifier). */
export function edfiSectionId(
  d: ModelDistrict,
  section: { schoolCode: number; courseCode: string; number: number },
): string {
  return [section.schoolCode, d.calendar.schoolYear + 1, d.termName, section.courseCode, section.number].join(
    '|',
  );
}

/** Program association element per CALPADS program code (the base association for the others). */
const PROGRAM_ELEMENT: Record<string, string> = {
  '144': 'StudentSpecialEducationProgramAssociation',
  '101': 'StudentSection504ProgramAssociation',
  '181': 'StudentSchoolFoodServiceProgramAssociation',
  '182': 'StudentSchoolFoodServiceProgramAssociation',
  '191': 'StudentHomelessProgramAssociation',
};

const yearSpan = (startYear: number): string => `${startYear}-${startYear + 1}`;

export class EdfiEncoder {
  readonly sis = 'edfi' as const;
  readonly counts: EntityCounts = emptyCounts();
  /** Elements written per element name. */
  readonly nativeRows: Record<string, number> = {};
  private readonly streams = new Map<Interchange, WriteStream>();
  private readonly pending = new Set<WriteStream>();
  private ns = '';
  private lea = '';
  /** The first write error of any file (a full disk …), raised at the next flush or close. */
  private failure: Error | null = null;

  constructor(private readonly dir: string) {}

  /** Creates the folder and opens the interchange files (truncating earlier ones). */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const [root, file] of Object.entries(EDFI_FILES) as [Interchange, string][]) {
      const path = join(this.dir, file);
      const stream = createWriteStream(path, { encoding: 'utf8' });
      stream.on('error', (err) => {
        this.failure ??= new Error(`writing ${path}: ${err.message}`);
      });
      stream.write(
        `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${XML_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n`,
      );
      this.streams.set(root, stream);
    }
  }

  private emit(root: Interchange, node: Node): void {
    const stream = this.streams.get(root);
    if (!stream) throw new Error('EdfiEncoder.open() must be called first');
    this.nativeRows[node[0]] = (this.nativeRows[node[0]] ?? 0) + 1;
    if (!stream.write(render(node, 1))) this.pending.add(stream);
  }

  /** Waits until every file has taken what was written (back-pressure, once per batch of students). */
  async flush(): Promise<void> {
    const waiting = [...this.pending];
    this.pending.clear();
    await Promise.all(
      waiting.map((s) => (s.writableNeedDrain && !this.failure ? once(s, 'drain') : undefined)),
    );
    if (this.failure) throw this.failure;
  }

  /** Closes every interchange file (root end tag) and waits until they are on disk. */
  async close(): Promise<void> {
    const streams = [...this.streams.entries()];
    this.streams.clear();
    await Promise.all(
      streams.map(([root, stream]) =>
        stream.destroyed
          ? undefined
          : new Promise<void>((done) => {
              stream.once('close', () => done());
              stream.end(`</${root}>\n`);
            }),
      ),
    );
    if (this.failure) throw this.failure;
  }

  private schoolRef(code: number | string, element = 'SchoolReference'): Node {
    return [element, [['SchoolIdentity', [['SchoolId', code]]]]];
  }

  private edOrgRef(id: number | string, element = 'EducationOrganizationReference'): Node {
    return [element, [['EducationOrganizationIdentity', [['EducationOrganizationId', id]]]]];
  }

  private studentRef(s: ModelStudent): Node {
    return ['StudentReference', [['StudentIdentity', [['StudentUniqueId', s.id]]]]];
  }

  private session(d: ModelDistrict, schoolCode: number): Node {
    return [
      'SessionReference',
      [
        [
          'SessionIdentity',
          [
            ['SessionName', d.termName],
            ['SchoolYear', yearSpan(d.calendar.schoolYear)],
            this.schoolRef(schoolCode),
          ],
        ],
      ],
    ];
  }

  /** A section's identity: its identifier and course offering (a Section's own children, a reference's key). */
  private sectionIdentity(
    d: ModelDistrict,
    sec: { schoolCode: number; courseCode: string; number: number },
  ): Node[] {
    return [
      ['SectionIdentifier', sec.number],
      [
        'CourseOfferingReference',
        [
          [
            'CourseOfferingIdentity',
            [
              ['LocalCourseCode', sec.courseCode],
              this.schoolRef(sec.schoolCode),
              this.session(d, sec.schoolCode),
            ],
          ],
        ],
      ],
    ];
  }

  private sectionRef(
    d: ModelDistrict,
    sec: { schoolCode: number; courseCode: string; number: number },
  ): Node {
    return ['SectionReference', [['SectionIdentity', this.sectionIdentity(d, sec)]]];
  }

  private desc(type: string, code: string): string {
    return `${this.ns}/${type}#${code}`;
  }

  private grade(g: string, invalid?: boolean): string {
    return invalid
      ? this.desc('GradeLevelDescriptor', g)
      : (GRADE_URI[g] ?? this.desc('GradeLevelDescriptor', g));
  }

  /** Schools, courses, course offerings, sections, staff and their section assignments. */
  writeDistrict(d: ModelDistrict): void {
    this.ns = edfiDistrictNamespace(d);
    this.lea = `${d.countyCode}${d.districtCode}`;
    const cal = d.calendar;
    for (const s of d.schools) {
      const grades = gradeOrder(d.state).filter((g) => gradeInSpan(g, s.low, s.high));
      this.emit('InterchangeEducationOrganization', [
        'School',
        [
          [
            'EducationOrganizationIdentificationCode',
            [
              // California's state school id is the 7-digit school part of the CDS code.
              ['IdentificationCode', /^\d{14}$/.test(s.cds) ? s.cds.slice(7) : s.cds],
              [
                'EducationOrganizationIdentificationSystem',
                `${EDFI_NS}/EducationOrganizationIdentificationSystemDescriptor#SEA`,
              ],
            ],
          ],
          ['NameOfInstitution', s.name],
          ['OperationalStatus', `${EDFI_NS}/OperationalStatusDescriptor#${s.active ? 'Active' : 'Closed'}`],
          ['SchoolId', s.code],
          ...grades.map((g): Node => ['GradeLevel', GRADE_URI[g]]),
          [
            'LocalEducationAgencyReference',
            [['LocalEducationAgencyIdentity', [['LocalEducationAgencyId', this.lea]]]],
          ],
        ],
      ]);
      this.counts.school++;
    }
    for (const c of d.courses) {
      this.emit('InterchangeEducationOrganization', [
        'Course',
        [
          ['CourseCode', c.code],
          ['CourseTitle', c.title],
          ['NumberOfParts', 1],
          [
            'CourseIdentificationCode',
            [
              ['IdentificationCode', c.stateCode],
              [
                'CourseIdentificationSystem',
                `${EDFI_NS}/CourseIdentificationSystemDescriptor#State course code`,
              ],
            ],
          ],
          this.edOrgRef(this.lea),
        ],
      ]);
    }
    for (const t of d.staff) {
      this.emit('InterchangeStaffAssociation', [
        'Staff',
        [
          ['StaffUniqueId', t.id],
          [
            'StaffIdentificationCode',
            [
              ['IdentificationCode', t.stateId],
              ['StaffIdentificationSystem', `${EDFI_NS}/StaffIdentificationSystemDescriptor#State`],
            ],
          ],
          [
            'Name',
            [
              ['FirstName', t.first],
              ['LastSurname', t.last],
            ],
          ],
          [
            'ElectronicMail',
            [
              ['ElectronicMailAddress', t.email],
              ['ElectronicMailType', `${EDFI_NS}/ElectronicMailTypeDescriptor#Work`],
            ],
          ],
        ],
      ]);
      this.counts.staff++;
    }
    // The SIS publishes the assignments it holds: a lead teacher without an assignment row of their own
    // (every tenth section, as the generated PowerSchool SECTIONTEACHER holds them) is published undated.
    let ordinal = 0;
    for (const school of d.schools) {
      const offered = new Set<string>();
      for (const sec of school.sections) {
        ordinal++;
        if (!offered.has(sec.courseCode)) {
          offered.add(sec.courseCode);
          this.emit('InterchangeMasterSchedule', [
            'CourseOffering',
            [
              ['LocalCourseCode', sec.courseCode],
              ['LocalCourseTitle', sec.courseTitle],
              this.schoolRef(sec.schoolCode),
              this.session(d, sec.schoolCode),
              [
                'CourseReference',
                [['CourseIdentity', [['CourseCode', sec.courseCode], this.edOrgRef(this.lea)]]],
              ],
            ],
          ]);
        }
        this.emit('InterchangeMasterSchedule', ['Section', this.sectionIdentity(d, sec)]);
        this.counts.section++;
        if (sec.teacherId === null) continue;
        const dated = ordinal % 10 !== 0;
        this.emit('InterchangeStaffAssociation', [
          'StaffSectionAssociation',
          [
            ['StaffReference', [['StaffIdentity', [['StaffUniqueId', sec.teacherId]]]]],
            this.sectionRef(d, sec),
            ['ClassroomPosition', `${EDFI_NS}/ClassroomPositionDescriptor#Teacher of Record`],
            ['BeginDate', dated ? cal.firstDay : null],
            ['EndDate', dated ? cal.lastDay : null],
          ],
        ]);
        this.counts.section_staff++;
      }
    }
  }

  private exitType(e: ModelEnrollment): string | null {
    const code = e.rawExitCode ?? e.exitCode;
    if (code === null) return null;
    return this.desc('ExitWithdrawTypeDescriptor', EXIT_CODE_VALUES[code] ?? code);
  }

  /** One student and everything published about them. */
  writeStudent(d: ModelDistrict, s: ModelStudent): void {
    if (s.beforeWindow) return;
    const windowStart = d.priorCalendar.firstDay;
    this.emit('InterchangeStudent', [
      'Student',
      [
        ['StudentUniqueId', s.id],
        [
          'Name',
          [
            ['FirstName', s.first],
            ['MiddleName', s.middle],
            ['LastSurname', s.last],
          ],
        ],
        ['BirthData', [['BirthDate', s.birthDate]]],
      ],
    ]);
    this.counts.student++;
    this.emit('InterchangeStudentEnrollment', [
      'StudentEducationOrganizationAssociation',
      [
        this.studentRef(s),
        this.edOrgRef(this.lea),
        ['Sex', SEX_URI[s.sex] ?? this.desc('SexDescriptor', s.sex)],
        ['HispanicLatinoEthnicity', s.hispanic ? 'true' : 'false'],
        ...s.races.map((r): Node => ['Race', this.desc('RaceDescriptor', r)]),
        ['LimitedEnglishProficiency', this.desc('LimitedEnglishProficiencyDescriptor', s.elStatus)],
        [
          'Language',
          [
            ['Language', this.desc('LanguageDescriptor', s.homeLanguage)],
            ['LanguageUse', `${EDFI_NS}/LanguageUseDescriptor#Home language`],
          ],
        ],
        s.stateId === null
          ? ['StudentIdentificationCode', null]
          : [
              'StudentIdentificationCode',
              [
                ['IdentificationCode', s.stateId],
                // The statewide unique id (CALPADS SSID).
                ['StudentIdentificationSystem', `${EDFI_NS}/StudentIdentificationSystemDescriptor#Unique`],
              ],
            ],
      ],
    ]);
    for (const e of s.enrollments) {
      const year = e.year ?? d.calendar.schoolYear;
      if (year < d.priorCalendar.schoolYear) continue;
      this.emit('InterchangeStudentEnrollment', [
        'StudentSchoolAssociation',
        [
          this.studentRef(s),
          this.schoolRef(e.schoolCode),
          ['SchoolYear', yearSpan(year)],
          ['EntryDate', e.entry],
          ['EntryGradeLevel', this.grade(e.grade, e.invalidGrade)],
          ['EntryType', this.desc('EntryTypeDescriptor', e.entryCode)],
          ['ExitWithdrawDate', e.exit],
          ['ExitWithdrawType', this.exitType(e)],
        ],
      ]);
      this.counts.enrollment++;
    }
    for (const p of s.programs) {
      if (p.beforeWindow || (p.end !== null && p.end < windowStart)) continue;
      this.emit('InterchangeStudentProgram', [
        PROGRAM_ELEMENT[p.code] ?? 'StudentProgramAssociation',
        [
          this.studentRef(s),
          [
            'ProgramReference',
            [
              [
                'ProgramIdentity',
                [
                  this.edOrgRef(this.lea),
                  ['ProgramName', `Program ${p.code}`],
                  ['ProgramType', this.desc('ProgramTypeDescriptor', p.code)],
                ],
              ],
            ],
          ],
          ['BeginDate', p.start],
          ['EndDate', p.end],
          this.edOrgRef(p.schoolCode),
        ],
      ]);
      this.counts.program++;
    }
    for (const r of s.rosters) {
      this.emit('InterchangeStudentEnrollment', [
        'StudentSectionAssociation',
        [this.studentRef(s), this.sectionRef(d, r.section), ['BeginDate', r.begin], ['EndDate', r.end]],
      ]);
      this.counts.student_section++;
    }
  }
}
