import type { ConnectorDefinition } from 'connectors/sdk/connector.types';
import { DomainErrorCode, DomainException } from 'src/common/domain.exception';
import { CrosswalkRepository } from 'src/extraction/crosswalk.repository';
import { CrosswalkService } from 'src/extraction/crosswalk.service';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';

const connector = {
  defaultCodeMaps: { grade_level: { K: 'KG', '1': '01' }, exit_code: { E1: 'E100' } },
  stateCodeMaps: { TX: { exit_code: {} } },
} as Pick<ConnectorDefinition, 'defaultCodeMaps' | 'stateCodeMaps'> as ConnectorDefinition;

async function domainError(work: () => Promise<unknown>): Promise<DomainException> {
  try {
    await work();
  } catch (err) {
    if (err instanceof DomainException) return err;
    throw err;
  }
  throw new Error('expected a DomainException');
}

describe('CrosswalkService', () => {
  let db: TestDatabase;
  let sut: CrosswalkService;
  let districtA: string;
  let districtB: string;
  let linkA: string;
  let linkB: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    sut = new CrosswalkService(new CrosswalkRepository(db.pool));
    districtA = (await factory.district(db.pool)).id;
    districtB = (await factory.district(db.pool)).id;
    linkA = (await factory.link(db.pool, districtA)).id;
    linkB = (await factory.link(db.pool, districtB)).id;
  });

  afterAll(async () => {
    await db.drop();
  });

  it('upserts overrides and lays them over the connector defaults', async () => {
    await sut.upsert(districtA, {
      linkId: linkA,
      codeSet: 'grade_level',
      sourceValue: ' K ',
      canonicalValue: 'TK',
    });
    const first = await sut.upsert(districtA, {
      linkId: linkA,
      codeSet: 'exit_code',
      sourceValue: 'X7',
      canonicalValue: 'T160',
    });
    const replaced = await sut.upsert(districtA, {
      linkId: linkA,
      codeSet: 'exit_code',
      sourceValue: 'X7',
      canonicalValue: 'T165',
    });
    expect(replaced.id).toBe(first.id);
    expect(replaced.canonicalValue).toBe('T165');

    expect(await sut.codeMapsFor(districtA, linkA, connector)).toEqual({
      grade_level: { K: 'TK', '1': '01' },
      exit_code: { E1: 'E100', X7: 'T165' },
    });
    expect((await sut.list(districtA)).map((r) => [r.codeSet, r.sourceValue, r.canonicalValue])).toEqual([
      ['exit_code', 'X7', 'T165'],
      ['grade_level', 'K', 'TK'],
    ]);
    // A state with its own defaults for a code set replaces that set whole (TX exit codes pass through);
    // the district's own entries still apply on top.
    expect(await sut.codeMapsFor(districtA, linkA, connector, 'TX')).toEqual({
      grade_level: { K: 'TK', '1': '01' },
      exit_code: { X7: 'T165' },
    });
  });

  it('rejects invalid entries with every problem listed', async () => {
    const err = await domainError(() =>
      sut.upsert(districtA, { linkId: linkA, codeSet: 'race', sourceValue: '', canonicalValue: 'x' }),
    );
    expect(err.code).toBe(DomainErrorCode.INVALID);
    expect(err.details).toEqual(
      expect.arrayContaining([expect.stringContaining('codeSet'), expect.stringContaining('sourceValue')]),
    );
    const grade = await domainError(() =>
      sut.upsert(districtA, {
        linkId: linkA,
        codeSet: 'grade_level',
        sourceValue: '14',
        canonicalValue: '14',
      }),
    );
    expect(grade.details).toEqual([expect.stringContaining('canonicalValue for grade_level must be one of')]);
    const sex = await domainError(() =>
      sut.upsert(districtA, { linkId: linkA, codeSet: 'sex', sourceValue: 'N', canonicalValue: 'N' }),
    );
    expect(sex.code).toBe(DomainErrorCode.INVALID);
  });

  it('keeps districts apart', async () => {
    const other = await sut.upsert(districtB, {
      linkId: linkB,
      codeSet: 'sex',
      sourceValue: '1',
      canonicalValue: 'M',
    });
    const foreignLink = await domainError(() =>
      sut.upsert(districtA, { linkId: linkB, codeSet: 'sex', sourceValue: '2', canonicalValue: 'F' }),
    );
    expect(foreignLink.code).toBe(DomainErrorCode.NOT_FOUND);
    expect((await sut.list(districtA)).some((r) => r.id === other.id)).toBe(false);
    expect(await sut.list(districtA, linkB)).toEqual([]);
    const foreignDelete = await domainError(() => sut.delete(districtA, other.id));
    expect(foreignDelete.code).toBe(DomainErrorCode.NOT_FOUND);
    expect((await sut.list(districtB)).map((r) => r.id)).toEqual([other.id]);
    expect(await sut.codeMapsFor(districtA, linkB, connector)).toEqual(connector.defaultCodeMaps);

    await sut.delete(districtB, other.id);
    expect(await sut.list(districtB)).toEqual([]);
    expect((await domainError(() => sut.delete(districtB, 'not-a-uuid'))).code).toBe(
      DomainErrorCode.NOT_FOUND,
    );
  });
});
