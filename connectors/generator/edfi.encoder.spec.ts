import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EDFI_DEFAULT_CODE_MAPS } from 'connectors/edfi/edfi-descriptors';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import { buildDistrict, buildStudent } from 'connectors/generator/district-model.util';
import {
  EDFI_FILES,
  EdfiEncoder,
  edfiCodeCrosswalks,
  edfiSectionId,
} from 'connectors/generator/edfi.encoder';
import { CANONICAL_ENTITIES } from 'connectors/sdk/canonical';
import type { NativeRow } from 'connectors/sdk/connector.types';
import { EdfiRowAssembler } from 'connectors/sdk/drivers/edfi/edfi-row-assembler';
import { EdfiXmlReader } from 'connectors/sdk/drivers/edfi/edfi-xml.reader';

const AS_OF = '2026-11-01';

async function rowsOf(dir: string, entity: (typeof CANONICAL_ENTITIES)[number]): Promise<NativeRow[]> {
  const out: NativeRow[] = [];
  for await (const batch of new EdfiRowAssembler(new EdfiXmlReader(dir), AS_OF).rows(entity))
    out.push(...batch);
  return out;
}

describe('EdfiEncoder', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edfi-encoder-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes interchange files the Ed-Fi reader reads back with the manifest counts and no problems', async () => {
    const m = await generateDistrict(dir, {
      sis: 'edfi',
      students: 150,
      seed: 'edfi-encoder',
      schoolYear: 2026,
      asOf: AS_OF,
    });
    expect(m.dir).toBe(dir);
    const counts: Record<string, number> = {};
    for (const entity of CANONICAL_ENTITIES) {
      const rows = await rowsOf(dir, entity);
      counts[entity] = rows.length;
      expect([entity, rows.filter((r) => r._problems).map((r) => r._problems)]).toEqual([entity, []]);
    }
    expect(counts).toEqual(m.counts);
  });

  it('writes the same files for the same seed', async () => {
    const other = await mkdtemp(join(tmpdir(), 'edfi-encoder-'));
    try {
      const opts = { sis: 'edfi', students: 80, seed: 'same', schoolYear: 2026, asOf: AS_OF } as const;
      const [a, b] = [await generateDistrict(dir, opts), await generateDistrict(other, opts)];
      expect(a.hash).toBe(b.hash);
      for (const file of Object.values(EDFI_FILES))
        expect(await readFile(join(other, file), 'utf8')).toBe(await readFile(join(dir, file), 'utf8'));
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('writes grade and sex as Ed-Fi URIs and the district codes in its namespace, each mapped', async () => {
    const m = await generateDistrict(dir, {
      sis: 'edfi',
      students: 300,
      seed: 'edfi-codes',
      schoolYear: 2026,
      asOf: AS_OF,
    });
    const crosswalk = new Map((m.codeCrosswalks ?? []).map((c) => [`${c.codeSet}|${c.sourceValue}`, c]));
    const enrollments = await rowsOf(dir, 'enrollment');
    for (const e of enrollments) {
      expect(EDFI_DEFAULT_CODE_MAPS.grade_level[String(e.entrygradelevel)]).toBeDefined();
      expect(String(e.entrygradelevel)).toMatch(/^uri:\/\/ed-fi\.org\/GradeLevelDescriptor#/);
      expect(crosswalk.has(`entry_code|${String(e.entrytype)}`)).toBe(true);
      if (e.exitcode !== null) expect(crosswalk.has(`exit_code|${String(e.exitcode)}`)).toBe(true);
    }
    // A no-show's exit type carries the CodeValue the connector derives the status from.
    const noShows = enrollments.filter((e) => e.status === 'no_show');
    expect(noShows.length).toBeGreaterThan(0);
    expect(noShows.filter((e) => !/#No show$/.test(String(e.exitcode)))).toEqual([]);
    for (const s of await rowsOf(dir, 'student'))
      expect(EDFI_DEFAULT_CODE_MAPS.sex[String(s.sex)]).toMatch(/^[FMX]$/);
    for (const p of await rowsOf(dir, 'program'))
      expect(crosswalk.has(`program_code|${String(p.programtype)}`)).toBe(true);
  });

  it('escapes markup in values and keys sections by their Ed-Fi natural key', async () => {
    const d = buildDistrict('escape', 40, 2026, AS_OF, true);
    d.schools[0].name = 'Smith & <Jones> "Academy"';
    const encoder = new EdfiEncoder(dir);
    await encoder.open();
    encoder.writeDistrict(d);
    encoder.writeStudent(d, buildStudent(d, 0));
    await encoder.flush();
    await encoder.close();
    expect(await readFile(join(dir, 'EducationOrganization.xml'), 'utf8')).toContain(
      '<NameOfInstitution>Smith &amp; &lt;Jones&gt; &quot;Academy&quot;</NameOfInstitution>',
    );
    const schools = await rowsOf(dir, 'school');
    expect(schools.find((s) => s.schoolid === String(d.schools[0].code))?.nameofinstitution).toBe(
      d.schools[0].name,
    );
    const sections = await rowsOf(dir, 'section');
    const first = d.schools[0].sections[0];
    expect(sections.map((s) => s.sectionid)).toContain(edfiSectionId(d, first));
    expect(edfiSectionId(d, first)).toBe(
      `${first.schoolCode}|2027|26-27|${first.courseCode}|${first.number}`,
    );
    expect(edfiCodeCrosswalks(d).every((c) => c.sourceValue.startsWith('uri://district-'))).toBe(true);
  });
});
