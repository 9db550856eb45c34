import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from 'src/common/paths.util';
import { loadRulePacks } from 'src/rule-engine/rule-loader.service';
import { formatLoadError } from 'src/rule-engine/rule.types';

describe('rule pack loader', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rule-packs-'));
    cpSync(projectPath('test', 'rule-engine', 'fixtures', 'bad'), join(dir, 'ca'), { recursive: true });
    cpSync(projectPath('test', 'rule-engine', 'fixtures', 'rules', 'common'), join(dir, 'common'), {
      recursive: true,
    });
    writeFileSync(join(dir, 'ca', 'not-yaml.yaml'), 'pack: ca\nrules: [ { id: X\n');
    writeFileSync(join(dir, 'ca', 'no-header.yaml'), 'rules: []\n');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads every good rule and reports each bad rule and pack with its file, rule id and field', () => {
    const sut = loadRulePacks(dir);
    const shown = (f: string): string => join(dir, f);
    expect(sut.errors.map(formatLoadError)).toEqual([
      `${shown('ca/broken.yaml')}: rule FX-BAD-FIELD: check.compare.left: unknown field 'exit_dat' of enrollment`,
      `${shown('ca/broken.yaml')}: rule FX-BAD-EXPR: when: at column 22: unexpected ';' (statement separators are not allowed)`,
      `${shown('ca/broken.yaml')}: rule FX-BAD-TWO-CHECKS: check: exactly one check kind is required (kinds: required, allowed, pattern, range, compare, expression, unique, no_overlap, exists, count_change, sql)`,
      `${shown('ca/broken.yaml')}: rule FX-BAD-NO-EXAMPLES: examples: is required`,
      `${shown('ca/broken.yaml')}: rule FX-OK: id: duplicate rule id (already defined in ${shown('ca/broken.yaml')})`,
      `${shown('ca/no-header.yaml')}: pack: is required`,
      `${shown('ca/no-header.yaml')}: title: is required`,
      expect.stringMatching(new RegExp(`^${shown('ca/not-yaml.yaml')}: YAML: `)),
    ]);
    expect(sut.rules.map((r) => r.id)).toEqual([
      'FX-OK',
      'FX-ENR-EXIT',
      'FX-ENR-GRADE',
      'FX-ENR-REQ',
      'FX-ENR-ENTRY-RANGE',
      'FX-ENR-SCHOOL-EXISTS',
      'FX-ENR-OVERLAP',
      'FX-ENR-COUNT',
      'FX-STU-AGE',
      'FX-STU-SSID',
      'FX-STU-SSID-UNIQUE',
      'FX-STU-RACE',
      'FX-STU-SQL',
    ]);
    expect(sut.packs.map((p) => [p.pack, p.ruleIds.length])).toEqual([
      ['ca', 1],
      ['common', 7],
      ['common', 5],
    ]);
  });

  it('names files relative to the project root', () => {
    const sut = loadRulePacks(projectPath('test', 'rule-engine', 'fixtures', 'bad'));
    expect(sut.errors[0].file).toBe('test/rule-engine/fixtures/bad/broken.yaml');
  });
});
