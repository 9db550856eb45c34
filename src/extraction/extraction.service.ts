import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PoolSqlRunner } from 'src/database/sql-runner';
import { EXTRACTION_POOL } from 'src/extraction/extraction-pool.token';
import { SnapshotsRepository } from 'src/snapshots/snapshots.repository';
import { applyDirectoryToSnapshot } from 'src/snapshots/snapshot-directory.repository';
import { CANONICAL_ENTITIES, CANONICAL_FIELDS, type CanonicalEntity } from 'connectors/sdk/canonical';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import {
  defaultCodeMapsFor,
  type ConnectorDefinition,
  type EntityExtractSpec,
  type NativeRow,
} from 'connectors/sdk/connector.types';
import { checkNativeSchema, type SchemaCheck } from 'connectors/sdk/native-schema';
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
import {
  DELTA_COLUMNS,
  SnapshotWriterRepository,
  type EntityWrite,
  type IncrementalBase,
} from 'src/snapshots/snapshot-writer.repository';
import { errorText } from 'src/common/error-text.util';

/** Issues are held back at most this many before the row COPY pauses to write them. */
const ISSUE_FLUSH = 10_000;

/** The base an extraction builds on (null: full) and, for a full one, why. */
interface ExtractionBasis {
  base: IncrementalBase | null;
  reason: string | null;
}

interface EntityRun {
  input: ExtractSnapshotInput;
  repo: SnapshotWriterRepository;
  spec: EntityExtractSpec;
  index: number;
  params: ExtractParams;
  /** Optional native names of this entity the schema lacks (schema discovery). */
  absent: readonly string[];
  /** Incremental: the base snapshot and `:since`; absent for a full extraction of the entity. */
  base?: IncrementalBase;
}

/** The key columns of a changes query's rows that never change (an update can renumber a student). */
export function identityColumns(spec: EntityExtractSpec): string[] {
  const stable = spec.keyColumns.filter((c) => c !== 'student_id');
  return stable.length ? stable : spec.keyColumns;
}

/** `col=value;…` of the identity columns, read out of a source key (`PREFIX:a=1;b=2`). */
export function identityOf(sourceKey: string, columns: readonly string[]): string {
  return columns
    .map((c) => `${c}=${new RegExp(`(?:^|[:;])${c}=([^;]*)`).exec(sourceKey)?.[1] ?? ''}`)
    .join(';');
}

/**
 * What a snapshot's rows depend on besides the SIS data: the connector's queries, keys and mapping, the code
 * maps, the state, the window (and the as-of date when a query reads it). A base snapshot with another
 * fingerprint is not carried forward (a crosswalk edit re-maps every row).
 */
export function extractionFingerprint(
  input: Pick<ExtractSnapshotInput, 'connector' | 'state'>,
  codeMaps: unknown,
  params: ExtractParams,
): string {
  const readsAsOf = input.connector.entities.some((e) => JSON.stringify(e.query).includes(':asOf'));
  const basis = {
    kind: input.connector.kind,
    entities: input.connector.entities.map((e) => ({
      entity: e.entity,
      query: e.query,
      changes: e.changes ?? null,
      keyPrefix: e.keyPrefix,
      keyColumns: e.keyColumns,
      fields: e.fields,
      refine: e.refine ? String(e.refine) : null,
    })),
    codeMaps,
    state: input.state ?? null,
    params: { ...params, asOf: readsAsOf ? params.asOf : null },
  };
  return createHash('sha256').update(JSON.stringify(basis)).digest('hex');
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
    let schema: SchemaCheck | undefined;
    const report = (): ExtractionReport => ({
      snapshotId: input.snapshotId,
      ...(schema ? { schema: withoutMissing(schema) } : {}),
      baseSnapshotId: basis.base?.snapshotId ?? null,
      ...(basis.reason ? { fullReason: basis.reason } : {}),
      entities,
      totalRows: entities.reduce((n, e) => n + e.rows, 0),
      durationMs: Math.round(performance.now() - started),
    });
    const params: ExtractParams = {
      ...windowParams(input.schoolYear, input.windowYears ?? DEFAULT_WINDOW_YEARS),
      asOf: input.asOf,
    };
    const basis: ExtractionBasis = { base: null, reason: null };
    try {
      schema = await discoverSchema(input);
      const absent = schema?.absent ?? [];
      Object.assign(basis, await this.extractionBasis(input, repo, params));
      const base = basis.base;
      input.onBasis?.({ incremental: base !== null, reason: basis.reason });
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
        const declared = new Set((spec.native?.optional ?? []).map((o) => o.name));
        const lacking = absent.filter((n) => declared.has(n));
        // A changes query reads every native name of its entity: one the schema lacks means a full extraction.
        const incremental = base && spec.changes && lacking.length === 0 ? base : undefined;
        entities.push(
          await this.extractEntity({ input, repo, spec, index, params, absent: lacking, base: incremental }),
        );
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
   * Reads the SIS clock (connectors with change tracking, sources that can run its queries) and picks the
   * incremental base when asked for one; records both on the snapshot. No base: every entity in full, and
   * `reason` says why. The clock is given the base's watermark as `:since` and may refuse it (`full_reason`: an
   * Ed-Fi ODS whose change versions went back) or have no time at all (`now` null with a `full_reason`: a
   * source without change tracking, whose snapshots are then no base either).
   */
  private async extractionBasis(
    input: ExtractSnapshotInput,
    repo: SnapshotWriterRepository,
    params: ExtractParams,
  ): Promise<ExtractionBasis> {
    const tracking = input.connector.changeTracking;
    const fingerprint = extractionFingerprint(
      input,
      mergeCodeMaps(defaultCodeMapsFor(input.connector, input.state), input.codeMaps),
      params,
    );
    if (!tracking || !input.rows.streamQuery) {
      await repo.recordExtractionBasis(input.snapshotId, { fingerprint, watermark: null, base: null });
      return {
        base: null,
        reason: tracking
          ? 'the row source runs only extract queries (agent link)'
          : 'the SIS tracks no changes',
      };
    }
    let base = input.incremental
      ? await repo.incrementalBase(input.snapshotId, fingerprint, input.incremental.fullEvery)
      : null;
    let reason: string | null = input.incremental
      ? base
        ? null
        : `no earlier complete snapshot of this link and year to build on (same connector, code maps and window, fewer than ${input.incremental.fullEvery - 1} incremental ones in a row)`
      : 'a full extraction was asked for';
    let watermark: string | null = null;
    let refused: string | null = null;
    for await (const batch of input.rows.streamQuery(tracking.clock, {
      ...params,
      since: base?.since ?? '',
    })) {
      const now = batch[0]?.['now'];
      if (now !== undefined && now !== null) watermark = String(now);
      const why = batch[0]?.['full_reason'];
      if (typeof why === 'string' && why) refused = why;
    }
    if (!watermark && !refused) {
      throw new ConnectorException(
        ConnectorErrorCode.UNKNOWN,
        input.linkName ?? input.connector.title,
        'the change-tracking clock query returned no time',
      );
    }
    if (refused && (base || !watermark)) {
      base = null;
      reason = refused;
    }
    await repo.recordExtractionBasis(input.snapshotId, { fingerprint, watermark, base });
    return { base, reason };
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
    const { input, repo, spec, base } = run;
    const started = performance.now();
    const columns = await repo.columns(spec.entity);
    const codeMaps = mergeCodeMaps(defaultCodeMapsFor(input.connector, input.state), input.codeMaps);
    const mapper = new EntityRowMapper(spec, codeMaps, new Set(columns.map((c) => c.name)));
    await repo.markEntity(input.snapshotId, spec.entity, 'extracting');
    const write = await repo.beginEntity(input.snapshotId, spec.entity, columns);
    try {
      let rows: number;
      let issues: number;
      let changed: number | undefined;
      let warnings: string[];
      if (base) {
        await write.stageDelta();
        const delta = await this.copyEntity(run, write, mapper, columns);
        rows = await this.sink(() => write.mergeDelta(base.snapshotId, identityColumns(spec)));
        issues = delta.issues;
        changed = delta.rows;
        const before = await repo.checkpointOf(base.snapshotId, spec.entity);
        warnings = [...new Set([...(before?.warnings ?? []), ...mapper.warningList()])];
      } else {
        ({ rows, issues } = await this.copyEntity(run, write, mapper, columns));
        warnings = mapper.warningList();
      }
      const durationMs = Math.round(performance.now() - started);
      await write.complete(rows, durationMs, warnings);
      // Fresh statistics for the rules and the comparison that read this snapshot next.
      await repo.analyze(spec.entity);
      return { entity: spec.entity, rows, durationMs, warnings, issues, skipped: false, changed };
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
    const { input, spec, index, params, base, absent } = run;
    const changes = base ? spec.changes : undefined;
    const source = (
      changes && input.rows.streamQuery
        ? input.rows.streamQuery(changes, { ...params, since: base?.since ?? '' })
        : input.rows.stream(spec, params, absent)
    )[Symbol.asyncIterator]();
    const identity = identityColumns(spec);
    const deltaColumns = [...columns, ...DELTA_COLUMNS];
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
          if (changes) {
            // A changed row that left the window only removes its key: its junk is not reported.
            const inWindow = String(native['in_window']) === '1';
            const rowIssues: ExtractionIssue[] = [];
            const row = mapper.map(native, rowIssues);
            if (inWindow) pending.push(...rowIssues);
            row.in_window = inWindow;
            row.identity = identityOf(String(row.source_key), identity);
            chunk += encodeCopyLine(
              `${input.snapshotId}\t${state.rowNo}\t${escapeCopyText(String(row.source_key))}`,
              row,
              deltaColumns,
            );
            continue;
          }
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
        copied += await this.sink(() => (changes ? write.copyDelta(segment()) : write.copyRows(segment())));
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
      // The cause is kept: a lost connection to the service database is retried, not failed (ExecuteRunUseCase).
      throw Object.assign(
        new ExtractionException(
          ExtractionErrorCode.WRITE_FAILED,
          `writing the snapshot failed: ${errorText(err)}`,
        ),
        { cause: err },
      );
    }
  }
}

/**
 * Schema discovery: the native schema of the connector's tables, checked against what its queries need.
 * Missing required columns stop the extraction here, before anything is read, naming every `TABLE.Column`;
 * missing optional ones make their fields not supplied. Sources that cannot describe their schema are
 * extracted unchecked.
 */
export async function discoverSchema(
  input: Pick<ExtractSnapshotInput, 'rows' | 'connector'>,
): Promise<SchemaCheck | undefined> {
  const columns = (await input.rows.describe?.(input.connector)) ?? null;
  if (columns === null) return undefined;
  const check = checkNativeSchema(input.connector, columns);
  if (check.missingRequired.length) {
    throw new ExtractionException(
      ExtractionErrorCode.SCHEMA_MISMATCH,
      `the ${input.connector.title} schema lacks ${check.missingRequired.length} column(s) the extraction needs: ${check.missingRequired.join(', ')}`,
    );
  }
  return check;
}

function withoutMissing(check: SchemaCheck): Omit<SchemaCheck, 'missingRequired'> {
  const { missingRequired: _unused, ...rest } = check;
  return rest;
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
