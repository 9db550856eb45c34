import { formatRuleDiff, formatRuleList } from 'src/rule-engine/rule-format.util';
import { diffRulesFrom, selectRulesFrom, type SuppliedFields } from 'src/rule-engine/rule-selection.service';
import { validateRule } from 'src/rule-engine/rule-validator.util';
import type { Rule } from 'src/rule-engine/rule.types';

function make(id: string, pack: string, extra: Record<string, unknown> = {}): Rule {
  const { rule, errors } = validateRule(
    {
      id,
      title: `${id} title`,
      entity: 'enrollment',
      severity: 'error',
      audience: ['district'],
      check: { required: ['exit_code'] },
      needs: ['exit_code'],
      source: 'test',
      prescription: 'fix',
      examples: { pass: [{ exit_code: 'E1' }], fail: [{}] },
      ...extra,
    },
    pack,
    `rules/${pack}/x.yaml`,
  );
  if (!rule) throw new Error(JSON.stringify(errors));
  return rule;
}

const CALPADS_PAGE = 'https://documentation.calpads.org/Troubleshooting/SENR/SENR0020/';

const CATALOG = [
  make('COM-1', 'common', { source_url: CALPADS_PAGE }),
  make('COM-2', 'common', { check: { required: ['entry_code'] }, needs: ['entry_code', 'school.active'] }),
  make('CA-1', 'ca', { editions: ['state_reporting'] }),
  make('CA-2', 'ca', { sis: ['aeries'] }),
  make('TX-1', 'tx'),
];
const AERIES: SuppliedFields = { enrollment: ['exit_code', 'entry_code'], school: ['active'] };
const POWERSCHOOL: SuppliedFields = { enrollment: ['exit_code'], school: [] };

describe('rule selection', () => {
  it('selects common + state pack + custom rules for the edition and SIS, excluding rules whose needs are not supplied', () => {
    const custom = make('D-1', 'district:00000000-0000-0000-0000-000000000001');
    const sut = selectRulesFrom(CATALOG, {
      state: 'ca',
      edition: 'full',
      sisKind: 'powerschool',
      suppliedFields: POWERSCHOOL,
      customRules: [custom],
    });
    expect(sut.selected.map((r) => r.id)).toEqual(['COM-1', 'D-1']);
    expect(sut.excluded.map((e) => [e.rule.id, e.missingFields])).toEqual([
      ['COM-2', ['enrollment.entry_code', 'school.active']],
    ]);
    const aeries = selectRulesFrom(CATALOG, {
      state: 'CA',
      edition: 'state_reporting',
      sisKind: 'aeries',
      suppliedFields: AERIES,
    });
    expect(aeries.selected.map((r) => r.id)).toEqual(['COM-1', 'COM-2', 'CA-1', 'CA-2']);
  });

  it('diffs two SIS: rules lost and gained with the missing fields or the SIS restriction', () => {
    const sut = diffRulesFrom(CATALOG, {
      state: 'CA',
      edition: 'full',
      from: { sisKind: 'aeries', suppliedFields: AERIES },
      to: { sisKind: 'powerschool', suppliedFields: POWERSCHOOL },
    });
    expect(sut.lost.map((e) => [e.rule.id, e.reason, e.missingFields])).toEqual([
      ['COM-2', 'fields', ['enrollment.entry_code', 'school.active']],
      ['CA-2', 'sis', []],
    ]);
    expect(sut.gained).toEqual([]);
    expect(sut.unchanged).toBe(1);
    const back = diffRulesFrom(CATALOG, {
      state: 'CA',
      edition: 'full',
      from: { sisKind: 'powerschool', suppliedFields: POWERSCHOOL },
      to: { sisKind: 'aeries', suppliedFields: AERIES },
    });
    expect(back.gained.map((e) => e.rule.id)).toEqual(['COM-2', 'CA-2']);
  });

  it('formats the list and the diff as plain text', () => {
    const list = formatRuleList(
      selectRulesFrom(CATALOG, {
        state: 'CA',
        edition: 'full',
        sisKind: 'powerschool',
        suppliedFields: POWERSCHOOL,
      }),
      'CA · powerschool · full',
    );
    expect(list).toBe(
      [
        'CA · powerschool · full',
        '1 rules selected, 1 unavailable (fields not supplied)',
        '',
        'common (1)',
        `  COM-1  error  enrollment  required  COM-1 title  source: test <${CALPADS_PAGE}>`,
        '',
        'unavailable',
        '  COM-2  COM-2 title  missing: enrollment.entry_code, school.active  source: test',
        '',
      ].join('\n'),
    );
    const diff = formatRuleDiff(
      diffRulesFrom(CATALOG, {
        state: 'CA',
        edition: 'full',
        from: { sisKind: 'aeries', suppliedFields: AERIES },
        to: { sisKind: 'powerschool', suppliedFields: POWERSCHOOL },
      }),
    );
    expect(diff).toBe(
      [
        'aeries → powerschool: 2 rules lost, 0 gained, 1 unchanged',
        '',
        'lost (available with aeries, not with powerschool)',
        '  COM-2  error  COM-2 title  powerschool lacks: enrollment.entry_code, school.active  source: test',
        '  CA-2   error  CA-2 title   only for aeries                                          source: test',
        '',
      ].join('\n'),
    );
  });
});
