import { commonFields, runComparisonOptions } from 'src/runs/comparison-options.util';

const env = { COMPARISON_STUDENT_KEYS: 'state_student_id,student_id', COMPARISON_MAX_DIFFERENCES: 500 };

describe('runComparisonOptions', () => {
  it('takes the service defaults when the district set no keys', () => {
    const o = runComparisonOptions(env, null, ['aeries', 'powerschool']);
    expect(o.studentKeys).toEqual(['state_student_id', 'student_id']);
    expect(o.staffKeys).toBeUndefined();
    expect(o.maxDifferences).toBe(500);
  });

  it('prefers the district’s own match keys, each list on its own', () => {
    expect(
      runComparisonOptions(env, { studentKeys: ['student_id'] }, ['aeries', 'powerschool']),
    ).toMatchObject({ studentKeys: ['student_id'] });
    const staffOnly = runComparisonOptions(env, { staffKeys: ['staff_id'] }, ['aeries', 'powerschool']);
    expect(staffOnly).toMatchObject({
      studentKeys: ['state_student_id', 'student_id'],
      staffKeys: ['staff_id'],
    });
  });

  it('compares only the fields both connectors supply', () => {
    const o = runComparisonOptions(env, null, ['aeries', 'powerschool']);
    expect(o.fields).toEqual(commonFields(['aeries', 'powerschool']));
    const fields = commonFields(['aeries', 'infinite_campus']);
    // Infinite Campus supplies no EL status (docs/connectors.md), so it is not compared against Aeries.
    expect(fields.student).not.toContain('el_status');
    expect(fields.student).toContain('birth_date');
  });
});
