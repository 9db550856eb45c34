import { failedPercent, planBatches, ruleStatus } from 'src/rule-engine/rule-evaluator.service';
import { validateRule } from 'src/rule-engine/rule-validator.util';
import type { Rule } from 'src/rule-engine/rule.types';

function make(id: string, entity: string, check: Record<string, unknown>, field: string): Rule {
  const examples =
    'unique' in check ? { pass: [{ rows: [] }], fail: [{ rows: [] }] } : { pass: [{}], fail: [{}] };
  const { rule, errors } = validateRule(
    {
      id,
      title: id,
      entity,
      severity: 'error',
      audience: ['district'],
      check,
      needs: [field],
      source: 's',
      prescription: 'p',
      examples,
    },
    'common',
    'x.yaml',
  );
  if (!rule) throw new Error(JSON.stringify(errors));
  return rule;
}

describe('rule status and batching', () => {
  it('passes within tolerance, warns for warnings, fails for errors, and reports errors', () => {
    const rule = { severity: 'error' as const, tolerance: { maxPercent: 5 } };
    expect(ruleStatus(rule, { checked: 100, failed: 5, error: null })).toBe('pass');
    expect(ruleStatus(rule, { checked: 100, failed: 6, error: null })).toBe('fail');
    expect(ruleStatus({ ...rule, severity: 'warning' }, { checked: 100, failed: 6, error: null })).toBe(
      'warn',
    );
    expect(ruleStatus(rule, { checked: 0, failed: 0, error: 'boom' })).toBe('error');
    expect(ruleStatus(rule, { checked: 0, failed: 0, error: null, skipped: 'no baseline' })).toBe('skipped');
    expect(
      ruleStatus({ severity: 'fatal', tolerance: { maxPercent: 0 } }, { checked: 0, failed: 0, error: null }),
    ).toBe('pass');
    expect(failedPercent(3, 1)).toBe(33.3333);
  });

  it("groups an entity's row-level rules together before its set-level rules", () => {
    const rules = [
      make('S-UNIQUE', 'student', { unique: { fields: ['student_id'] } }, 'student_id'),
      make('E-REQ', 'enrollment', { required: ['school_id'] }, 'school_id'),
      make('S-REQ', 'student', { required: ['last_name'] }, 'last_name'),
      make('E-UNIQUE', 'enrollment', { unique: { fields: ['student_id'] } }, 'student_id'),
    ];
    expect(planBatches(rules, 3).map((b) => b.map((r) => r.id))).toEqual([
      ['E-REQ', 'E-UNIQUE', 'S-REQ'],
      ['S-UNIQUE'],
    ]);
  });
});
