import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Json, JsonObject } from 'connectors/sdk/drivers/edfi/edfi-api.client';
import { PROGRAM_ASSOCIATIONS, resourceOf } from 'connectors/sdk/drivers/edfi/edfi-records';
import {
  childrenNamed,
  interchangeRoot,
  nodeAt,
  readInterchange,
  textAt,
  type XmlNode,
} from 'connectors/sdk/drivers/edfi/interchange-reader';

/**
 * A test Ed-Fi ODS/API (v7 shapes) serving a folder of XML interchange files: discovery document, OAuth2
 * client-credentials token endpoint, `/data/v3/ed-fi/<resource>` with offset/limit paging (limit ≤ 500),
 * Change Queries (`/changeQueries/v1/availableChangeVersions`, min/maxChangeVersion, `<resource>/deletes`
 * as `{ id, changeVersion, keyValues }`), get-by-example on key fields (`?studentUniqueId=…`), and fault injection
 * (429/503 answers, expired tokens) so the client's retries and token renewal are tested over real HTTP.
 * The JSON is built here, independently of the connector's XML reader, following the ODS/API's resource
 * model (references flattened to their natural keys, integer ids and school years, descriptor URIs).
 */
export interface EdfiOdsServer {
  url: string;
  clientId: string;
  clientSecret: string;
  /** Requests received, as `METHOD path?query`. */
  requests: string[];
  /** Records per resource (`ed-fi/students` → JSON). */
  resources: Map<string, Array<{ changeVersion: number; body: JsonObject }>>;
  /** The next `count` data requests answer `status` (429 with Retry-After: 0, or 5xx). */
  failNext(count: number, status: number): void;
  /** Every issued token stops working (the next data request gets 401). */
  expireTokens(): void;
  /** Gives one record a new change version (an update in the ODS), with `patch` laid over its body. */
  touch(resource: string, index: number, patch?: JsonObject): number;
  /** Deletes one record: gone from its resource, tracked at `<resource>/deletes` with its natural key. */
  remove(resource: string, index: number): number;
  /** Change Queries on or off (off: availableChangeVersions and `/deletes` answer 404, as an ODS without them). */
  changeQueries(on: boolean): void;
  /** Renumbers every record from 1 and forgets the deletes, as an ODS restored from a backup or reloaded. */
  resetChangeVersions(): number;
  close(): Promise<void>;
}

const int = (v: string | null): number | null => (v === null || !/^\d+$/.test(v) ? null : Number(v));
const schoolYear = (v: string | null): number | null => {
  const m = v ? /^(\d{4})-(\d{4})$/.exec(v) : null;
  return m ? Number(m[2]) : int(v);
};

/** Drops null and empty-array members, as the ODS/API omits absent optional fields. */
function compact(o: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null || v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

function schoolIdOf(ref: XmlNode | undefined): number | null {
  return int(textAt(ref, 'SchoolIdentity/SchoolId'));
}

function edOrgIdOf(ref: XmlNode | undefined): number | null {
  return int(textAt(ref, 'EducationOrganizationIdentity/EducationOrganizationId'));
}

function studentRef(n: XmlNode): JsonObject {
  return { studentUniqueId: textAt(n, 'StudentReference/StudentIdentity/StudentUniqueId') };
}

function sectionReference(ref: XmlNode | undefined): JsonObject {
  const id = nodeAt(ref, 'SectionIdentity');
  const offering = nodeAt(id, 'CourseOfferingReference/CourseOfferingIdentity');
  const session = nodeAt(offering, 'SessionReference/SessionIdentity');
  return compact({
    localCourseCode: textAt(offering, 'LocalCourseCode'),
    schoolId: schoolIdOf(nodeAt(offering, 'SchoolReference')),
    schoolYear: schoolYear(textAt(session, 'SchoolYear')),
    sectionIdentifier: textAt(id, 'SectionIdentifier'),
    sessionName: textAt(session, 'SessionName'),
  });
}

function codes(n: XmlNode, element: string, system: string, field: string): JsonObject[] {
  return childrenNamed(n, element).map((c) =>
    compact({ [field]: textAt(c, system), identificationCode: textAt(c, 'IdentificationCode') }),
  );
}

const xmlBool = (v: string | null): boolean | null => (v === null ? null : v === '1' || v === 'true');

type ToJson = (n: XmlNode) => JsonObject;

const PROGRAM: ToJson = (n) => {
  const program = nodeAt(n, 'ProgramReference/ProgramIdentity');
  return compact({
    beginDate: textAt(n, 'BeginDate'),
    educationOrganizationReference: {
      educationOrganizationId: edOrgIdOf(nodeAt(n, 'EducationOrganizationReference')),
    },
    programReference: compact({
      educationOrganizationId: edOrgIdOf(nodeAt(program, 'EducationOrganizationReference')),
      programName: textAt(program, 'ProgramName'),
      programTypeDescriptor: textAt(program, 'ProgramType'),
    }),
    studentReference: studentRef(n),
    endDate: textAt(n, 'EndDate'),
    reasonExitedDescriptor: textAt(n, 'ReasonExited'),
  });
};

/** XML element → ODS/API resource and its JSON. */
const RESOURCES: Record<string, { resource: string; json: ToJson }> = {
  School: {
    resource: 'ed-fi/schools',
    json: (n) =>
      compact({
        schoolId: int(textAt(n, 'SchoolId')),
        nameOfInstitution: textAt(n, 'NameOfInstitution'),
        shortNameOfInstitution: textAt(n, 'ShortNameOfInstitution'),
        operationalStatusDescriptor: textAt(n, 'OperationalStatus'),
        gradeLevels: childrenNamed(n, 'GradeLevel').map((g) => ({ gradeLevelDescriptor: g.text })),
        identificationCodes: codes(
          n,
          'EducationOrganizationIdentificationCode',
          'EducationOrganizationIdentificationSystem',
          'educationOrganizationIdentificationSystemDescriptor',
        ),
        localEducationAgencyReference: compact({
          localEducationAgencyId: int(
            textAt(n, 'LocalEducationAgencyReference/LocalEducationAgencyIdentity/LocalEducationAgencyId'),
          ),
        }),
      }),
  },
  Course: {
    resource: 'ed-fi/courses',
    json: (n) =>
      compact({
        courseCode: textAt(n, 'CourseCode'),
        courseTitle: textAt(n, 'CourseTitle'),
        educationOrganizationReference: {
          educationOrganizationId: edOrgIdOf(nodeAt(n, 'EducationOrganizationReference')),
        },
        identificationCodes: codes(
          n,
          'CourseIdentificationCode',
          'CourseIdentificationSystem',
          'courseIdentificationSystemDescriptor',
        ),
      }),
  },
  Student: {
    resource: 'ed-fi/students',
    json: (n) =>
      compact({
        studentUniqueId: textAt(n, 'StudentUniqueId'),
        firstName: textAt(n, 'Name/FirstName'),
        middleName: textAt(n, 'Name/MiddleName'),
        lastSurname: textAt(n, 'Name/LastSurname'),
        birthDate: textAt(n, 'BirthData/BirthDate'),
        birthSexDescriptor: textAt(n, 'BirthData/BirthSex'),
      }),
  },
  StudentEducationOrganizationAssociation: {
    resource: 'ed-fi/studentEducationOrganizationAssociations',
    json: (n) =>
      compact({
        educationOrganizationReference: {
          educationOrganizationId: edOrgIdOf(nodeAt(n, 'EducationOrganizationReference')),
        },
        studentReference: studentRef(n),
        sexDescriptor: textAt(n, 'Sex'),
        hispanicLatinoEthnicity: xmlBool(textAt(n, 'HispanicLatinoEthnicity')),
        races: childrenNamed(n, 'Race').map((r) => ({ raceDescriptor: r.text })),
        limitedEnglishProficiencyDescriptor: textAt(n, 'LimitedEnglishProficiency'),
        studentIdentificationCodes: codes(
          n,
          'StudentIdentificationCode',
          'StudentIdentificationSystem',
          'studentIdentificationSystemDescriptor',
        ),
      }),
  },
  StudentSchoolAssociation: {
    resource: 'ed-fi/studentSchoolAssociations',
    json: (n) => {
      const calendar = nodeAt(n, 'CalendarReference/CalendarIdentity');
      return compact({
        entryDate: textAt(n, 'EntryDate'),
        schoolReference: { schoolId: schoolIdOf(nodeAt(n, 'SchoolReference')) },
        studentReference: studentRef(n),
        calendarReference: calendar
          ? compact({
              calendarCode: textAt(calendar, 'CalendarCode'),
              schoolId: schoolIdOf(nodeAt(calendar, 'SchoolReference')),
              schoolYear: schoolYear(textAt(calendar, 'SchoolYear')),
            })
          : null,
        schoolYearTypeReference: textAt(n, 'SchoolYear')
          ? { schoolYear: schoolYear(textAt(n, 'SchoolYear')) }
          : null,
        entryGradeLevelDescriptor: textAt(n, 'EntryGradeLevel'),
        entryTypeDescriptor: textAt(n, 'EntryType'),
        exitWithdrawDate: textAt(n, 'ExitWithdrawDate'),
        exitWithdrawTypeDescriptor: textAt(n, 'ExitWithdrawType'),
        enrollmentTypeDescriptor: textAt(n, 'EnrollmentType'),
        fullTimeEquivalency: textAt(n, 'FullTimeEquivalency')
          ? Number(textAt(n, 'FullTimeEquivalency'))
          : null,
      });
    },
  },
  StudentSectionAssociation: {
    resource: 'ed-fi/studentSectionAssociations',
    json: (n) =>
      compact({
        beginDate: textAt(n, 'BeginDate'),
        sectionReference: sectionReference(nodeAt(n, 'SectionReference')),
        studentReference: studentRef(n),
        endDate: textAt(n, 'EndDate'),
        homeroomIndicator: xmlBool(textAt(n, 'HomeroomIndicator')),
      }),
  },
  Section: {
    resource: 'ed-fi/sections',
    json: (n) => {
      const offering = nodeAt(n, 'CourseOfferingReference/CourseOfferingIdentity');
      const session = nodeAt(offering, 'SessionReference/SessionIdentity');
      return compact({
        sectionIdentifier: textAt(n, 'SectionIdentifier'),
        courseOfferingReference: compact({
          localCourseCode: textAt(offering, 'LocalCourseCode'),
          schoolId: schoolIdOf(nodeAt(offering, 'SchoolReference')),
          schoolYear: schoolYear(textAt(session, 'SchoolYear')),
          sessionName: textAt(session, 'SessionName'),
        }),
        sectionTypeDescriptor: textAt(n, 'SectionType'),
      });
    },
  },
  CourseOffering: {
    resource: 'ed-fi/courseOfferings',
    json: (n) => {
      const session = nodeAt(n, 'SessionReference/SessionIdentity');
      const course = nodeAt(n, 'CourseReference/CourseIdentity');
      return compact({
        localCourseCode: textAt(n, 'LocalCourseCode'),
        schoolReference: { schoolId: schoolIdOf(nodeAt(n, 'SchoolReference')) },
        sessionReference: compact({
          schoolId: schoolIdOf(nodeAt(session, 'SchoolReference')),
          schoolYear: schoolYear(textAt(session, 'SchoolYear')),
          sessionName: textAt(session, 'SessionName'),
        }),
        courseReference: compact({
          courseCode: textAt(course, 'CourseCode'),
          educationOrganizationId: edOrgIdOf(nodeAt(course, 'EducationOrganizationReference')),
        }),
        localCourseTitle: textAt(n, 'LocalCourseTitle'),
      });
    },
  },
  StaffSectionAssociation: {
    resource: 'ed-fi/staffSectionAssociations',
    json: (n) =>
      compact({
        sectionReference: sectionReference(nodeAt(n, 'SectionReference')),
        staffReference: { staffUniqueId: textAt(n, 'StaffReference/StaffIdentity/StaffUniqueId') },
        beginDate: textAt(n, 'BeginDate'),
        classroomPositionDescriptor: textAt(n, 'ClassroomPosition'),
        endDate: textAt(n, 'EndDate'),
      }),
  },
  Staff: {
    resource: 'ed-fi/staffs',
    json: (n) =>
      compact({
        staffUniqueId: textAt(n, 'StaffUniqueId'),
        firstName: textAt(n, 'Name/FirstName'),
        lastSurname: textAt(n, 'Name/LastSurname'),
        electronicMails: childrenNamed(n, 'ElectronicMail').map((m) =>
          compact({
            electronicMailAddress: textAt(m, 'ElectronicMailAddress'),
            electronicMailTypeDescriptor: textAt(m, 'ElectronicMailType'),
          }),
        ),
        identificationCodes: codes(
          n,
          'StaffIdentificationCode',
          'StaffIdentificationSystem',
          'staffIdentificationSystemDescriptor',
        ),
      }),
  },
  ...Object.fromEntries(
    PROGRAM_ASSOCIATIONS.map((a) => [a, { resource: `ed-fi/${resourceOf(a)}`, json: PROGRAM }]),
  ),
};

/** The natural key of each resource, as `/deletes` flattens it: [path in the body, keyValues name]. */
const SECTION_KEY: Array<[string, string]> = [
  'localCourseCode',
  'schoolId',
  'schoolYear',
  'sectionIdentifier',
  'sessionName',
].map((k) => [`sectionReference.${k}`, k]);
const PROGRAM_KEY: Array<[string, string]> = [
  ['beginDate', 'beginDate'],
  ['educationOrganizationReference.educationOrganizationId', 'educationOrganizationId'],
  ['programReference.educationOrganizationId', 'programEducationOrganizationId'],
  ['programReference.programName', 'programName'],
  ['programReference.programTypeDescriptor', 'programTypeDescriptor'],
  ['studentReference.studentUniqueId', 'studentUniqueId'],
];
const KEYS: Record<string, Array<[string, string]>> = {
  'ed-fi/schools': [['schoolId', 'schoolId']],
  'ed-fi/students': [['studentUniqueId', 'studentUniqueId']],
  'ed-fi/staffs': [['staffUniqueId', 'staffUniqueId']],
  'ed-fi/studentEducationOrganizationAssociations': [
    ['educationOrganizationReference.educationOrganizationId', 'educationOrganizationId'],
    ['studentReference.studentUniqueId', 'studentUniqueId'],
  ],
  'ed-fi/studentSchoolAssociations': [
    ['entryDate', 'entryDate'],
    ['schoolReference.schoolId', 'schoolId'],
    ['studentReference.studentUniqueId', 'studentUniqueId'],
  ],
  'ed-fi/studentSectionAssociations': [
    ['beginDate', 'beginDate'],
    ...SECTION_KEY,
    ['studentReference.studentUniqueId', 'studentUniqueId'],
  ],
  'ed-fi/staffSectionAssociations': [...SECTION_KEY, ['staffReference.staffUniqueId', 'staffUniqueId']],
  ...Object.fromEntries(PROGRAM_ASSOCIATIONS.map((a) => [`ed-fi/${resourceOf(a)}`, PROGRAM_KEY])),
};

function keyValues(resource: string, body: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [path, name] of KEYS[resource] ?? []) {
    let v: Json | undefined = body;
    for (const part of path.split('.'))
      v = v && typeof v === 'object' && !Array.isArray(v) ? v[part] : undefined;
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Get-by-example: a query parameter matches a top-level field or a member of any `…Reference`. */
function matches(body: JsonObject, where: Array<[string, string]>): boolean {
  return where.every(([k, v]) => {
    const own = body[k];
    if (own !== undefined && typeof own !== 'object') return String(own) === v;
    return Object.entries(body).some(
      ([name, ref]) =>
        name.endsWith('Reference') &&
        ref !== null &&
        typeof ref === 'object' &&
        !Array.isArray(ref) &&
        ref[k] !== undefined &&
        String(ref[k]) === v,
    );
  });
}

const PAGING = new Set(['offset', 'limit', 'minChangeVersion', 'maxChangeVersion', 'totalCount']);

async function load(dir: string): Promise<EdfiOdsServer['resources']> {
  const out: EdfiOdsServer['resources'] = new Map(
    Object.values(RESOURCES).map((r) => [
      r.resource,
      [] as Array<{ changeVersion: number; body: JsonObject }>,
    ]),
  );
  let version = 0;
  for (const f of (await readdir(dir)).filter((x) => x.endsWith('.xml')).sort()) {
    const path = join(dir, f);
    if (!(await interchangeRoot(path))?.startsWith('Interchange')) continue;
    for await (const batch of readInterchange(path, new Set(Object.keys(RESOURCES)))) {
      for (const rec of batch) {
        const r = RESOURCES[rec.node.name];
        version += 1;
        out.get(r.resource)?.push({
          changeVersion: version,
          body: { id: randomBytes(16).toString('hex'), ...r.json(rec.node) },
        });
      }
    }
  }
  return out;
}

export async function startEdfiOdsServer(dir: string): Promise<EdfiOdsServer> {
  const resources = await load(dir);
  const clientId = 'sis-certify-test';
  const clientSecret = randomBytes(12).toString('hex');
  const tokens = new Set<string>();
  const requests: string[] = [];
  const faults: { count: number; status: number } = { count: 0, status: 503 };
  const state = {
    newest: Math.max(0, ...[...resources.values()].flat().map((r) => r.changeVersion)),
    changeQueries: true,
  };
  const deletes = new Map<string, Array<{ changeVersion: number; body: JsonObject }>>();

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const base = `http://${req.headers.host}`;
    if (url.pathname === '/' && req.method === 'GET') {
      return send(res, 200, {
        version: '7.1',
        dataModels: [{ name: 'Ed-Fi', version: '5.0.0' }],
        urls: {
          dataManagementApi: `${base}/data/v3/`,
          oauth: `${base}/oauth/token`,
          changeQueries: `${base}/changeQueries/v1/`,
        },
      });
    }
    if (url.pathname === '/oauth/token' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += String(chunk);
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const [id, secret] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'client_credentials')
        return send(res, 400, { error: 'unsupported_grant_type' });
      if (id !== clientId || secret !== clientSecret) return send(res, 401, { error: 'invalid_client' });
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      return send(res, 200, { access_token: token, expires_in: 1800, token_type: 'bearer' });
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !tokens.has(bearer)) return send(res, 401, { message: 'Authorization denied.' });
    if (faults.count > 0) {
      faults.count -= 1;
      return send(
        res,
        faults.status,
        { message: 'try again' },
        faults.status === 429 ? { 'retry-after': '0' } : {},
      );
    }
    if (url.pathname === '/changeQueries/v1/availableChangeVersions') {
      if (!state.changeQueries) return send(res, 404, { message: 'not found' });
      return send(res, 200, { oldestChangeVersion: 0, newestChangeVersion: state.newest });
    }
    const m = /^\/data\/v3\/(ed-fi\/\w+)(\/deletes)?$/.exec(url.pathname);
    const records =
      m && m[2]
        ? state.changeQueries && resources.has(m[1])
          ? (deletes.get(m[1]) ?? [])
          : undefined
        : m
          ? resources.get(m[1])
          : undefined;
    if (!records) return send(res, 404, { message: 'not found' });
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 25);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500 || !Number.isInteger(offset) || offset < 0)
      return send(res, 400, { message: 'limit must be 1–500 and offset ≥ 0' });
    const min = Number(url.searchParams.get('minChangeVersion') ?? -Infinity);
    const max = Number(url.searchParams.get('maxChangeVersion') ?? Infinity);
    const where = [...url.searchParams].filter(([k]) => !PAGING.has(k));
    const matching = records.filter(
      (r) => r.changeVersion >= min && r.changeVersion <= max && matches(r.body, where),
    );
    const page = matching.slice(offset, offset + limit).map((r) => r.body);
    const headers: Record<string, string> =
      url.searchParams.get('totalCount') === 'true' ? { 'total-count': String(matching.length) } : {};
    return send(res, 200, page, headers);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { message: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    requests,
    resources,
    failNext(count, status) {
      faults.count = count;
      faults.status = status;
    },
    expireTokens() {
      tokens.clear();
    },
    touch(resource, index, patch = {}) {
      state.newest += 1;
      const rec = resources.get(resource)?.[index];
      if (rec) {
        rec.changeVersion = state.newest;
        rec.body = { ...rec.body, ...patch };
      }
      return state.newest;
    },
    remove(resource, index) {
      const [rec] = resources.get(resource)?.splice(index, 1) ?? [];
      if (!rec) throw new Error(`no ${resource} #${index}`);
      state.newest += 1;
      const tracked = deletes.get(resource) ?? [];
      tracked.push({
        changeVersion: state.newest,
        body: { id: rec.body.id, changeVersion: state.newest, keyValues: keyValues(resource, rec.body) },
      });
      deletes.set(resource, tracked);
      return state.newest;
    },
    changeQueries(on) {
      state.changeQueries = on;
    },
    resetChangeVersions() {
      let version = 0;
      for (const records of resources.values()) for (const r of records) r.changeVersion = ++version;
      deletes.clear();
      state.newest = version;
      return version;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
