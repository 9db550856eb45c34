import { aeriesConnector } from 'connectors/aeries/aeries.connector';
import { powerschoolConnector } from 'connectors/powerschool/powerschool.connector';
import {
  checkNativeSchema,
  nativeSchemaSql,
  nativeTablesOf,
  type NativeColumn,
} from 'connectors/sdk/native-schema';

/** The native columns a connector declares, as a catalogue would list them (upper-cased by SQL Server). */
function catalogue(def: typeof aeriesConnector, without: string[] = []): NativeColumn[] {
  const names = new Set<string>();
  for (const e of def.entities) {
    for (const n of e.native?.required ?? []) names.add(n);
    for (const o of e.native?.optional ?? [])
      if (o.name.includes('.')) names.add(o.name);
      else names.add(`${o.name}.ID`);
  }
  return [...names]
    .filter((n) => !without.some((w) => n === w || n.startsWith(`${w}.`)))
    .map((n) => {
      const [table, column] = n.split('.');
      return { table: table.toLowerCase(), column: column.toUpperCase(), type: 'int' };
    });
}

describe('native schema check', () => {
  it('finds nothing missing in a complete schema, whatever the case of the names', () => {
    expect(checkNativeSchema(aeriesConnector, catalogue(aeriesConnector))).toMatchObject({
      absent: [],
      notSupplied: [],
      missingRequired: [],
    });
  });

  it('marks the fields of absent optional tables and columns as not supplied, with the reason', () => {
    const check = checkNativeSchema(
      powerschoolConnector,
      catalogue(powerschoolConnector, ['S_CA_STU_X', 'StudentRace', 'COURSES.Alt_Course_Number']),
    );
    expect(check.missingRequired).toEqual([]);
    expect(check.absent).toEqual(['COURSES.Alt_Course_Number', 'S_CA_STU_X', 'StudentRace']);
    expect(check.notSupplied).toEqual([
      { entity: 'student', field: 'races', reason: 'table StudentRace is not in the SIS schema' },
      { entity: 'student', field: 'el_status', reason: 'table S_CA_STU_X is not in the SIS schema' },
      {
        entity: 'section',
        field: 'state_course_code',
        reason: 'column COURSES.Alt_Course_Number is not in the SIS schema',
      },
    ]);
  });

  it('lists every missing required TABLE.Column once, sorted', () => {
    const check = checkNativeSchema(aeriesConnector, catalogue(aeriesConnector, ['ENR.ER', 'LOC']));
    expect(check.missingRequired).toEqual([
      'ENR.ER',
      'LOC.CC',
      'LOC.CD',
      'LOC.DC',
      'LOC.DEL',
      'LOC.HI',
      'LOC.LO',
      'LOC.NM',
      'LOC.SC',
      'LOC.TG',
    ]);
  });

  it('asks each engine its catalogue for the connector tables only, never for a non-identifier', () => {
    const tables = nativeTablesOf(aeriesConnector);
    expect(tables).toEqual([
      'CAR',
      'CRS',
      'CSE',
      'ENR',
      'FOF',
      'FRE',
      'LAC',
      'LOC',
      'MST',
      'PGM',
      'SEC',
      'STF',
      'STU',
      'TCH',
    ]);
    expect(nativeSchemaSql('postgres', tables)).toMatch(
      /information_schema\.columns[\s\S]*current_schema\(\)/,
    );
    expect(nativeSchemaSql('mssql', tables)).toMatch(
      /INFORMATION_SCHEMA\.COLUMNS[\s\S]*IN \('CAR', 'CRS', 'CSE', 'ENR'/,
    );
    expect(nativeSchemaSql('oracle', tables)).toMatch(/ALL_TAB_COLUMNS/);
    expect(() => nativeSchemaSql('postgres', ["STU'; DROP TABLE x; --"])).toThrow('not a table name');
  });
});
