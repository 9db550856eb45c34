import { rewriteNamedParams } from 'connectors/sdk/drivers/named-params.util';

describe('rewriteNamedParams', () => {
  const sql = `SELECT a::date, ':asOf' AS lit, "x:y" FROM t -- :comment
    WHERE yr = :schoolYear AND d <= :asOf /* :block */ AND e >= :asOf`;

  it('numbers postgres parameters by first use and reuses them', () => {
    const sut = rewriteNamedParams(sql, 'postgres');
    expect(sut.names).toEqual(['schoolYear', 'asOf']);
    expect(sut.sql).toContain('yr = $1 AND d <= $2 /* :block */ AND e >= $2');
    expect(sut.sql).toContain(`a::date, ':asOf' AS lit, "x:y" FROM t -- :comment`);
  });

  it('writes @name for SQL Server and :name for Oracle', () => {
    expect(rewriteNamedParams('SELECT 1 WHERE a = :asOf', 'mssql')).toEqual({
      sql: 'SELECT 1 WHERE a = @asOf',
      names: ['asOf'],
    });
    expect(rewriteNamedParams("SELECT 'it''s :x' FROM DUAL WHERE a = :asOf", 'oracle')).toEqual({
      sql: "SELECT 'it''s :x' FROM DUAL WHERE a = :asOf",
      names: ['asOf'],
    });
  });
});
