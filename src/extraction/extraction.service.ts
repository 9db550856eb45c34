import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PoolSqlRunner } from 'src/database/sql-runner';
import { EXTRACTION_POOL } from 'src/extraction/extraction-pool.token';
import { SnapshotsRepository } from 'src/snapshots/snapshots.repository';
import { applyDirectoryToSnapshot } from 'src/reference-data/state-directory.repository';
import { CANONICAL_ENTITIES, CANONICAL_FIELDS, type CanonicalEntity } from 'connectors/sdk/canonical';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import {
  defaultCodeMapsFor,
  type ConnectorDefinition,
  type EntityExtractSpec,
  type NativeRow,
} from 'connectors/sdk/connector.types';
import { DEFAULT_WINDOW_YEARS, windowParams } from 'connectors/sdk/window.util';
import { mergeCodeMaps } from 'src/extraction/code-lookup.util';
import { encodeCopyLine, escapeCopyText, type CopyColumn } from 'src/extraction/copy-text.util';
import { EntityRowMapper } from 'src/extraction/entity-row.mapper';
import { ExtractionErrorCode, ExtractionException } from 'src/extraction/extraction.exception';
import type {
  EntityReport,
  ExtractionIssue,
  ExtractionReport,
  ExtractParams,
  ExtractSnapshotInput,
} from 'src/extraction/extraction.types';
import { SnapshotWriterRepository, type EntityWrite } from 'src/extraction/snapshot-writer.repository';
import { errorText } from 'src/common/error-text.util';

/** Issues are held back at most this many before the row COPY pauses to write them. */
const ISSUE_FLUSH = 10_000;

interface EntityRun {
  input: ExtractSnapshotInput;
  repo: SnapshotWriterRepository;
  spec: EntityExtractSpec;
  index: number;
  params: ExtractParams;
}

function errorSummary(err: unknown): { code: string; message: string } {
  if (err instanceof ConnectorException || err instanceof ExtractionException)
    return { code: err.code, message: err.message };
  return { code: 'UNKNOWN', message: errorText(err) };
}

/**
 * Pulls one snapshot through a connector into the snap_* tables. Entities already complete (an earlier,
 * interrupted attempt) are skipped; each other entity is replaced atomically. Nest builds it over the
 * extraction pool; scripts and specs use extractSnapshot() below.
 */
@Injectable()
export class ExtractionService {
  constructor(
    @Inject(EXTRACTION_POOL) private readonly pool: Pool,
    private readonly snapshots: SnapshotsRepository,
  ) {}

  async extractSnapshot(input: ExtractSnapshotInput): Promise<ExtractionReport> {
    const started = performance.now();
    const repo = new SnapshotWriterRepository(this.pool, input.bulkWrite);
    validateConnector(input.connector);
    if (!(await this.snapshots.exists(input.snapshotId))) {
      throw new ExtractionException(
        ExtractionErrorCode.SNAPSHOT_NOT_FOUND,
        `snapshot ${input.snapshotId} not found`,
      );
    }
    await this.snapshots.markExtracting(input.snapshotId);
    const entities: EntityReport[] = [];
    const report = (): ExtractionReport => ({
      snapshotId: input.snapshotId,
      entities,
      totalRows: entities.reduce((n, e) => n + e.rows, 0),
      durationMs: Math.round(performance.now() - started),
    });
    const params: ExtractParams = {
      ...windowParams(input.schoolYear, input.windowYears ?? DEFAULT_WINDOW_YEARS),
      asOf: input.asOf,
    };
    try {
      const checkpoints = await repo.checkpoints(input.snapshotId);
      for (const [index, spec] of input.connector.entities.entries()) {
        const done = checkpoints.get(spec.entity);
        if (done?.status === 'complete') {
          const issues = await repo.issueCount(input.snapshotId, spec.entity);
          entities.push({
            entity: spec.entity,
            rows: done.rowCount,
            durationMs: done.durationMs,
            warnings: done.warnings,
            issues,
            skipped: true,
          });
          input.onProgress?.(spec.entity, done.rowCount, index, input.connector.entities.length);
          continue;
        }
        entities.push(await this.extractEntity({ input, repo, spec, index, params }));
      }
    } catch (err) {
      await this.snapshots
        .fail(input.snapshotId, { ...report(), error: errorSummary(err) })
        .catch(() => undefined);
      throw err;
    }
    await this.applyStateDirectory(input, entities);
    const final = report();
    await this.snapshots.complete(input.snapshotId, final);
    return final;
  }

  /**
   * The state's school directory's view of every extracted school (directory_* fields); idempotent, so a
   * resumed extraction applies it again. Without a loaded directory the school report says so.
   */
  private async applyStateDirectory(input: ExtractSnapshotInput, entities: EntityReport[]): Promise<void> {
    const school = entities.find((e) => e.entity === 'school');
    if (!school || !input.state) return;
    const result = await this.sink(() =>
      applyDirectoryToSnapshot(new PoolSqlRunner(this.pool), input.snapshotId, input.state ?? ''),
    );
    if (!result.loaded)
      school.warnings = [
        ...school.warnings,
        `no ${input.state} school directory loaded (sis-certify reference load): grade spans, school status and school codes are not checked against the state`,
      ];
    else if (result.missing > 0)
      school.warnings = [
        ...school.warnings,
        `${result.missing} school(s) not in the ${input.state} school directory (state school code unknown to the state)`,
      ];
  }

  private async extractEntity(run: EntityRun): Promise<EntityReport> {
    const { input, repo, spec } = run;
    const started = performance.now();
    const columns = await repo.columns(spec.entity);
    const codeMaps = mergeCodeMaps(defaultCodeMapsFor(input.connector, input.state), input.codeMaps);
    const mapper = new EntityRowMapper(spec, codeMaps, new Set(columns.map((c) => c.name)));
    await repo.markEntity(input.snapshotId, spec.entity, 'extracting');
    const write = await repo.beginEntity(input.snapshotId, spec.entity, columns);
    try {
      const { rows, issues } = await this.copyEntity(run, write, mapper, columns);
      const durationMs = Math.round(performance.now() - started);
      const warnings = mapper.warningList();
      await write.complete(rows, durationMs, warnings);
      // Fresh statistics for the rules and the comparison that read this snapshot next.
      await repo.analyze(spec.entity);
      return { entity: spec.entity, rows, durationMs, warnings, issues, skipped: false };
    } catch (err) {
      await write.abort();
      await repo.markEntity(input.snapshotId, spec.entity, 'failed').catch(() => undefined);
      throw err;
    }
  }

  /** Streams the source through the mapper into COPY, pausing the COPY only to write held-back issues. */
  private async copyEntity(
    run: EntityRun,
    write: EntityWrite,
    mapper: EntityRowMapper,
    columns: readonly CopyColumn[],
  ): Promise<{ rows: number; issues: number }> {
    const { input, spec, index, params } = run;
    const source = input.rows.stream(spec, params)[Symbol.asyncIterator]();
    const linkName = input.linkName ?? input.connector.title;
    const pending: ExtractionIssue[] = [];
    // What the caller's progress callback threw (a cancelled run, a lost lease): it ends the COPY and must
    // reach the caller as it is, not as a failed write.
    const state: { rowNo: number; issues: number; exhausted: boolean; stop?: { error: unknown } } = {
      rowNo: 0,
      issues: 0,
      exhausted: false,
    };
    const next = async (): Promise<IteratorResult<NativeRow[]>> => {
      try {
        return await source.next();
      } catch (err) {
        if (err instanceof ConnectorException) throw err;
        throw new ConnectorException(
          ConnectorErrorCode.UNKNOWN,
          linkName,
          `reading ${spec.entity} failed: ${errorText(err)}`,
        );
      }
    };
    // One batch read ahead: the SIS produces the next batch while this one is mapped and written.
    const read: { ahead: Promise<IteratorResult<NativeRow[]>> | null } = { ahead: null };
    const readAhead = (): Promise<IteratorResult<NativeRow[]>> => {
      const p = next();
      void p.catch(() => undefined); // observed when awaited; never an unhandled rejection meanwhile
      return p;
    };
    async function* segment(): AsyncIterable<string> {
      while (pending.length < ISSUE_FLUSH) {
        const batch = await (read.ahead ?? readAhead());
        read.ahead = null;
        if (batch.done) {
          state.exhausted = true;
          return;
        }
        read.ahead = readAhead();
        let chunk = '';
        for (const native of batch.value) {
          state.rowNo += 1;
          const row = mapper.map(native, pending);
          chunk += encodeCopyLine(
            `${input.snapshotId}\t${state.rowNo}\t${escapeCopyText(String(row.source_key))}`,
            row,
            columns,
          );
        }
        if (chunk) yield chunk;
        try {
          input.onProgress?.(spec.entity, state.rowNo, index, input.connector.entities.length);
        } catch (err) {
          state.stop = { error: err };
          throw err;
        }
      }
    }
    try {
      let copied = 0;
      while (!state.exhausted) {
        copied += await this.sink(() => write.copyRows(segment()));
        state.issues += pending.length;
        await this.sink(() => write.copyIssues(pending.splice(0)));
      }
      if (copied !== state.rowNo) {
        throw new ExtractionException(
          ExtractionErrorCode.WRITE_FAILED,
          `${spec.entity}: mapped ${state.rowNo} rows but COPY wrote ${copied}`,
        );
      }
      return { rows: state.rowNo, issues: state.issues };
    } catch (err) {
      throw state.stop ? state.stop.error : err;
    } finally {
      if (!state.exhausted) {
        await read.ahead?.catch(() => undefined);
        await source.return?.().catch(() => undefined);
      }
    }
  }

  /** Errors writing to the service database become WRITE_FAILED; source errors pass through typed. */
  private async sink<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof ConnectorException || err instanceof ExtractionException) throw err;
      throw new ExtractionException(
        ExtractionErrorCode.WRITE_FAILED,
        `writing the snapshot failed: ${errorText(err)}`,
      );
    }
  }
}

/** Catches connector bugs before anything is written: unknown or repeated entities, unknown canonical fields. */
export function validateConnector(connector: ConnectorDefinition): void {
  const seen = new Set<CanonicalEntity>();
  const problems: string[] = [];
  for (const spec of connector.entities) {
    if (!(CANONICAL_ENTITIES as readonly string[]).includes(spec.entity))
      problems.push(`unknown entity '${spec.entity}'`);
    else {
      if (seen.has(spec.entity)) problems.push(`entity '${spec.entity}' appears twice`);
      const known = CANONICAL_FIELDS[spec.entity];
      for (const field of Object.keys(spec.fields))
        if (!(field in known)) problems.push(`${spec.entity}.${field} is not a canonical field`);
    }
    if (spec.keyColumns.length === 0) problems.push(`${spec.entity} has no key columns`);
    seen.add(spec.entity);
  }
  if (problems.length) {
    throw new ExtractionException(
      ExtractionErrorCode.INVALID_CONNECTOR,
      `connector ${connector.kind} is invalid: ${problems.join('; ')}`,
    );
  }
}

/** The same pipeline without Nest (scripts, benchmarks, specs), over a pool of the service database. */
export function extractSnapshot(input: ExtractSnapshotInput & { pool: Pool }): Promise<ExtractionReport> {
  const { pool, ...rest } = input;
  return new ExtractionService(pool, new SnapshotsRepository(new PoolSqlRunner(pool))).extractSnapshot(rest);
}
