import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EdfiDriver } from 'connectors/sdk/drivers/edfi/edfi.driver';
import { readInterchange } from 'connectors/sdk/drivers/edfi/interchange-reader';

const HEAD = '<?xml version="1.0"?>\n<InterchangeStudent xmlns="http://ed-fi.org/5.2.0">\n';

describe('Ed-Fi XML interchange reader', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'edfi-xml-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('streams top-level records by local name with their line, whatever the namespace prefix', async () => {
    const file = join(dir, 'Student.xml');
    writeFileSync(
      file,
      `${HEAD}\t<Student><StudentUniqueId> 1 </StudentUniqueId></Student>\n\t<x:Student xmlns:x="http://ed-fi.org/6.0.0"><x:StudentUniqueId>2</x:StudentUniqueId></x:Student>\n\t<Person/>\n</InterchangeStudent>`,
    );
    const records = [];
    for await (const batch of readInterchange(file, new Set(['Student']))) records.push(...batch);
    expect(records.map((r) => [r.node.name, r.node.line, r.node.children[0].text, r.errors])).toEqual([
      ['Student', 3, '1', []],
      ['Student', 4, '2', []],
    ]);
  });

  it('reports malformed XML with file and line on the row and keeps the valid rows', async () => {
    writeFileSync(
      join(dir, 'Student.xml'),
      `${HEAD}\t<Student><StudentUniqueId>1</StudentUniqueId></Student>\n\t<Student><StudentUniqueId>2</StudentUniqueId><Name></Student>\n\t<Student><StudentUniqueId>3</StudentUniqueId></Student>\n\t<Student><Name/></Student>\n</InterchangeStudent>`,
    );
    const driver = new EdfiDriver('edfi_xml', { linkName: 'xml', path: dir });
    const rows = [];
    for await (const batch of driver.stream('edfi:student', { asOf: '2022-01-01' })) rows.push(...batch);
    expect(rows.map((r) => r.studentuniqueid)).toEqual(['1', '2', '3', null]);
    expect(rows[0]._problems).toBeNull();
    expect(String(rows[1]._problems)).toMatch(/^Student\.xml:4:\d+: unexpected close tag/);
    expect(rows[3]._problems).toBe('Student.xml:6: Student has no StudentUniqueId');
  });

  it('fails a link whose folder is missing with a clear, typed error', async () => {
    const driver = new EdfiDriver('edfi_xml', { linkName: 'xml', path: join(dir, 'nope') });
    const probe = await driver.probe();
    expect(probe).toMatchObject({ ok: false, error: { code: 'UNREACHABLE' } });
  });
});
