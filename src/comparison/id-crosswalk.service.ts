import { Injectable } from '@nestjs/common';
import type { Principal } from 'src/auth/auth.types';
import { TenantScope } from 'src/auth/tenant-scope';
import { ID_COLUMNS } from 'src/comparison/comparison-spec';
import { ID_ENTITIES, type IdEntity } from 'src/comparison/comparison.types';
import { IdCrosswalkRepository, type IdMapping } from 'src/comparison/id-crosswalk.repository';
import { DomainException } from 'src/common/domain.exception';

const MAX_ID = 100;
const MAX_ENTRIES = 500_000;
const PAGE = 100;
const SHOWN_PROBLEMS = 20;

export interface SaveReport {
  entity: IdEntity;
  received: number;
  inserted: number;
  updated: number;
  removed: number;
}

/**
 * Identifier crosswalks (old id → new id) for schools, sections, staff and students, as a district or its
 * migration vendor hands them over: entered through the API, imported from CSV, or from the CLI. The comparison
 * maps old ids through them before matching.
 */
@Injectable()
export class IdCrosswalkService {
  constructor(private readonly repo: IdCrosswalkRepository) {}

  list(p: Principal, districtId: string, entityName: string, page: number) {
    const entity = idEntity(entityName);
    TenantScope.of(p).assertDistrict(districtId);
    return this.repo.list(districtId, entity, PAGE, (page - 1) * PAGE);
  }

  async save(
    p: Principal,
    districtId: string,
    entityName: string,
    entries: IdMapping[],
    replace = false,
  ): Promise<SaveReport> {
    TenantScope.of(p).assertDistrict(districtId);
    const entity = idEntity(entityName);
    const clean = validateMappings(entries);
    return { entity, received: clean.length, ...(await this.repo.save(districtId, entity, clean, replace)) };
  }

  /** A vendor's CSV: a header naming the old and new id columns (old_id,new_id), then one mapping per line. */
  importCsv(p: Principal, districtId: string, entity: string, csv: string, replace = false) {
    return this.save(p, districtId, entity, parseCrosswalkCsv(csv), replace);
  }

  async remove(p: Principal, districtId: string, entityName: string): Promise<{ removed: number }> {
    TenantScope.of(p).assertDistrict(districtId);
    const entity = idEntity(entityName);
    return { removed: await this.repo.remove(districtId, entity) };
  }

  /** What the crosswalk matched in a run's comparison: ids found on each side and samples of unknown ids. */
  async report(p: Principal, districtId: string, entityName: string, runId: string) {
    TenantScope.of(p).assertDistrict(districtId);
    const entity = idEntity(entityName);
    const snaps = await this.repo.runSnapshots(districtId, runId);
    if (!snaps) throw DomainException.notFound('comparison');
    const { table, column } = ID_COLUMNS[entity];
    return {
      entity,
      runId,
      ...(await this.repo.coverage(districtId, entity, table, column, snaps.old, snaps.new)),
    };
  }
}

/** The entity named in the path (schools, sections, staff, students). */
export function idEntity(name: string): IdEntity {
  if (!(ID_ENTITIES as readonly string[]).includes(name))
    throw DomainException.invalid(`entity must be one of ${ID_ENTITIES.join(', ')}`);
  return name as IdEntity;
}

/** Trims and checks mappings: every problem is listed at once (empty or long ids, an old id twice, merged ids). */
export function validateMappings(entries: IdMapping[]): IdMapping[] {
  if (!Array.isArray(entries) || entries.length === 0) throw DomainException.invalid('no mappings given');
  if (entries.length > MAX_ENTRIES)
    throw DomainException.invalid(`at most ${MAX_ENTRIES} mappings per request`);
  const problems: string[] = [];
  const byOld = new Map<string, number>();
  const byNew = new Map<string, string[]>();
  const clean: IdMapping[] = [];
  entries.forEach((e, i) => {
    const oldId = typeof e?.oldId === 'string' ? e.oldId.trim() : '';
    const newId = typeof e?.newId === 'string' ? e.newId.trim() : '';
    if (!oldId || oldId.length > MAX_ID || !newId || newId.length > MAX_ID) {
      problems.push(`entry ${i + 1}: oldId and newId must be 1-${MAX_ID} characters`);
      return;
    }
    const seen = byOld.get(oldId);
    if (seen !== undefined)
      problems.push(`entry ${i + 1}: old id '${oldId}' already mapped by entry ${seen}`);
    byOld.set(oldId, i + 1);
    byNew.set(newId, [...(byNew.get(newId) ?? []), oldId]);
    clean.push({ oldId, newId });
  });
  for (const [newId, olds] of byNew)
    if (olds.length > 1)
      problems.push(
        `new id '${newId}' is the target of ${olds.length} old ids (${olds.slice(0, 5).join(', ')})`,
      );
  if (problems.length) {
    const shown = problems.slice(0, SHOWN_PROBLEMS);
    if (problems.length > SHOWN_PROBLEMS) shown.push(`… and ${problems.length - SHOWN_PROBLEMS} more`);
    throw DomainException.invalid(`invalid crosswalk (${problems.length} problems)`, shown);
  }
  return clean;
}

const HEADER_OLD = ['old_id', 'oldid', 'old', 'source_id', 'legacy_id'];
const HEADER_NEW = ['new_id', 'newid', 'new', 'target_id'];

function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',' || ch === ';' || ch === '\t') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((c) => c.trim());
}

/** Parses a crosswalk CSV (comma, semicolon or tab separated, quoted cells allowed, a header line first). */
export function parseCrosswalkCsv(csv: string): IdMapping[] {
  if (typeof csv !== 'string' || csv.trim() === '') throw DomainException.invalid('csv is empty');
  const lines = csv
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = cells(lines[0]).map((h) => h.toLowerCase().replace(/[\s-]/g, '_'));
  const oldAt = header.findIndex((h) => HEADER_OLD.includes(h));
  const newAt = header.findIndex((h) => HEADER_NEW.includes(h));
  if (oldAt < 0 || newAt < 0)
    throw DomainException.invalid('the first line must name the columns, e.g. old_id,new_id', [
      `found: ${lines[0].slice(0, 200)}`,
    ]);
  return lines.slice(1).map((l) => {
    const c = cells(l);
    return { oldId: c[oldAt] ?? '', newId: c[newAt] ?? '' };
  });
}
