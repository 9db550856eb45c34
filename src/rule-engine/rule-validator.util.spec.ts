import { validateRule } from 'src/rule-engine/rule-validator.util';
import { formatLoadError } from 'src/rule-engine/rule.types';

function rule(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'CA-SENR0018',
    title: 'Exit before entry',
    entity: 'enrollment',
    severity: 'fatal',
    audience: ['district', 'school'],
    when: 'exit_date is not null',
    check: { compare: { left: 'exit_date', op: '>=', right: 'entry_date' } },
    needs: ['entry_date'],
    source: 'CALPADS SENR0018',
    prescription: 'Correct the exit date.\n',
    examples: {
      pass: [{ entry_date: '2026-08-12', exit_date: '2026-10-01' }],
      fail: [{ entry_date: '2026-08-12', exit_date: '2026-08-01' }],
    },
    ...overrides,
  };
}

function errors(raw: unknown): string[] {
  return validateRule(raw, 'ca', 'rules/ca/senr.yaml').errors.map(formatLoadError);
}

describe('rule validation', () => {
  it('normalises a valid rule and adds every field it reads to its needs', () => {
    const { rule: sut, errors: errs } = validateRule(rule(), 'ca', 'rules/ca/senr.yaml');
    expect(errs).toEqual([]);
    expect(sut).toMatchObject({
      id: 'CA-SENR0018',
      pack: 'ca',
      check: { kind: 'compare', left: 'exit_date', op: '>=', right: { field: 'entry_date' } },
      needs: ['enrollment.entry_date', 'enrollment.exit_date'],
      editions: ['full', 'state_reporting'],
      sis: [],
      tolerance: { maxPercent: 0 },
      prescription: 'Correct the exit date.',
    });
    expect(sut?.examples.map((e) => [e.expect, e.index, e.asOf, e.rows])).toEqual([
      ['pass', 0, '2026-10-07', [{ entry_date: '2026-08-12', exit_date: '2026-10-01' }]],
      ['fail', 0, '2026-10-07', [{ entry_date: '2026-08-12', exit_date: '2026-08-01' }]],
    ]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'unknown compared field',
      { check: { compare: { left: 'exit_dat', op: '>=', right: 'entry_date' } } },
      "check.compare.left: unknown field 'exit_dat' of enrollment",
    ],
    [
      'unknown entity',
      { entity: 'enrolment' },
      'entity: must be one of "school", "student", "enrollment", "program", "section", "student_section", "staff"',
    ],
    [
      'two check kinds',
      { check: { required: ['exit_date'], unique: { fields: ['student_id'] } } },
      'check: exactly one check kind is required',
    ],
    [
      'unknown check kind',
      { check: { requried: ['exit_date'] } },
      "check.requried: unknown check kind 'requried'",
    ],
    ['missing examples', { examples: undefined }, 'examples: is required'],
    [
      'empty fail examples',
      { examples: { pass: [{}], fail: [] } },
      'examples.fail: must NOT have fewer than 1 items',
    ],
    [
      'unknown example field',
      { examples: { pass: [{ exit_dat: '2026-01-01' }], fail: [{}] } },
      "examples.pass[0].exit_dat: unknown field 'exit_dat' of enrollment",
    ],
    [
      'bad expression',
      { when: 'exit_date is not null or' },
      'when: at column 25: unexpected end of expression',
    ],
    ['unknown needs field', { needs: ['school.nme'] }, "needs[0]: unknown field 'nme' of school"],
    [
      'unquoted code',
      { check: { allowed: { field: 'grade_level', values: ['KG', 1] } } },
      'check.allowed.values[1]: 1 is not text; quote it',
    ],
    ['typo key', { prescripton: 'x' }, 'prescripton: unknown key'],
    ['bad id', { id: 'ca senr' }, 'id: must match pattern'],
    [
      'pattern on a date',
      { check: { pattern: { field: 'entry_date', regex: '^2' } } },
      'check.pattern.field: pattern needs a text field; entry_date is date',
    ],
    [
      'range bound type',
      { check: { range: { field: 'entry_date', min: 5 } } },
      'check.range.min: a number bound needs a numeric field, not date',
    ],
    [
      'range bound field',
      { check: { range: { field: 'entry_date', max: 'exit_date' } } },
      "check.range.max: at column 1: fields are not allowed here (got 'exit_date')",
    ],
    [
      'exists type mismatch',
      { check: { exists: { entity: 'school', match: { active: 'school_id' } } } },
      'check.exists.match.active: school.active is bool but enrollment.school_id is text',
    ],
    [
      'no_overlap on text',
      { check: { no_overlap: { key: ['student_id'], start: 'grade_level', end: 'exit_date' } } },
      'check.no_overlap.start: grade_level is text; spans need date fields',
    ],
    [
      'unsafe sql',
      { check: { sql: 'select row_no from {{enrollment}}; drop table x' } },
      "check.sql: at column 34: ';' is not allowed",
    ],
    [
      'set example without rows',
      {
        check: { unique: { fields: ['student_id'] } },
        examples: { pass: [{ context: {} }], fail: [{ rows: [] }] },
      },
      'examples.pass[0].rows: a set-level example needs rows',
    ],
  ])('reports %s with file, rule id and field', (_name, overrides, message) => {
    const found = errors(rule(overrides));
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toContain(
      `rules/ca/senr.yaml: rule ${typeof overrides.id === 'string' ? overrides.id : 'CA-SENR0018'}: ${message}`,
    );
  });
});
