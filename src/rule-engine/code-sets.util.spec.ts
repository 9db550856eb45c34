import { codeSetCodes, expandSqlCodeSets, parseCodeSet } from 'src/rule-engine/code-sets.util';
import { compileCondition, type ExprScope } from 'src/rule-engine/expression/expression-sql.util';
import { SqlParams } from 'src/rule-engine/sql-params.util';

const scope = (): ExprScope => ({
  default: { entity: 'enrollment', alias: 't' },
  qualified: { enrollment: { entity: 'enrollment', alias: 't' } },
  reads: new Set(),
});

describe('state code sets (rules/code-sets)', () => {
  it('ships the full TSDS C162 leaver reason table, not only the five codes the rules used to list', () => {
    const codes = codeSetCodes('TX-C162') ?? [];
    expect(codes).toEqual(
      expect.arrayContaining(['01', '03', '16', '24', '60', '66', '78', '81', '82', '83']),
    );
    expect(codes).toEqual(expect.arrayContaining(['85', '86', '87', '88', '89', '90', '98']));
    expect(codes).toHaveLength(17);
  });

  it('expands code_set() in an in-list to bound literals and refuses an unknown set with its position', () => {
    const p = new SqlParams();
    const sql = compileCondition("exit_code in code_set('TX-C162')", scope(), p);
    expect(sql).toContain('= ANY($1::text[])');
    expect(p.slots[0]).toEqual({ kind: 'literal', value: codeSetCodes('TX-C162') });
    expect(() => compileCondition("exit_code in code_set('TX-NOPE')", scope(), new SqlParams())).toThrow(
      "at column 14: unknown code set 'TX-NOPE' (rules/code-sets)",
    );
  });

  it('expands {{code_set:NAME}} in sql rules to quoted codes', () => {
    expect(expandSqlCodeSets('select 1 where x in ({{code_set:TX-C162}})')).toMatch(
      /^select 1 where x in \('01', '03', .*'98'\)$/,
    );
    expect(() => expandSqlCodeSets('x in ({{code_set:NOPE}})')).toThrow("unknown code set 'NOPE'");
  });

  it('refuses malformed code-set files with the file and entry', () => {
    expect(() => parseCodeSet('code_set: tx\ntitle: t\nsource: s\ncodes: []', 'a.yaml')).toThrow(
      'a.yaml: code_set must be a name like TX-C162',
    );
    expect(() => parseCodeSet('code_set: TX-A\ntitle: t\nsource: s\ncodes: [{ code: 1 }]', 'b.yaml')).toThrow(
      'b.yaml: codes[0].code must be a quoted code',
    );
    expect(() =>
      parseCodeSet("code_set: TX-A\ntitle: t\nsource: s\ncodes: [{ code: '1' }, { code: '1' }]", 'c.yaml'),
    ).toThrow('c.yaml: code 1 is listed twice');
  });
});
