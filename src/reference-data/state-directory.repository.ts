import { Injectable } from '@nestjs/common';
import { SqlRunner } from 'src/database/sql-runner';
import type { DirectoryLoadReport, DirectorySchool } from 'src/reference-data/state-directory.types';

const BATCH = 2000;

export interface DirectoryLoadView {
  id: string;
  state: string;
  format: string;
  sourceFile: string;
  rowsLoaded: number;
  rowsRejected: number;
  loadedBy: string | null;
  loadedAt: Date;
}

/**
 * state_school_directory: the state's public school directory, shared by every district of the state (public
 * reference data, no tenant). A load replaces the state's rows whole, in one transaction.
 */
@Injectable()
export class StateDirectoryRepository {
  constructor(private readonly sql: SqlRunner) {}

  async replaceState(
    report: DirectoryLoadReport,
    schools: DirectorySchool[],
    loadedBy: string | null,
  ): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query(`DELETE FROM state_school_directory WHERE state = $1`, [report.state]);
      for (let i = 0; i < schools.length; i += BATCH) {
        const b = schools.slice(i, i + BATCH);
        await tx.query(
          `INSERT INTO state_school_directory (state, school_code, full_code, name, district_name, status, low_grade,
             high_grade, school_type, open_date, closed_date, source_file)
           SELECT $1, * , $12 FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::text[], $9::text[], $10::date[], $11::date[])`,
          [
            report.state,
            b.map((s) => s.schoolCode),
            b.map((s) => s.fullCode),
            b.map((s) => s.name),
            b.map((s) => s.districtName),
            b.map((s) => s.status),
            b.map((s) => s.lowGrade),
            b.map((s) => s.highGrade),
            b.map((s) => s.schoolType),
            b.map((s) => s.openDate),
            b.map((s) => s.closedDate),
            report.sourceFile,
          ],
        );
      }
      await tx.query(
        `INSERT INTO state_school_directory_loads (state, format, source_file, rows_loaded, rows_rejected, problems, loaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          report.state,
          report.format,
          report.sourceFile,
          report.rowsLoaded,
          report.rowsRejected,
          JSON.stringify(report.problems.slice(0, 200)),
          loadedBy,
        ],
      );
    });
  }

  async loads(state: string | null, limit = 20): Promise<DirectoryLoadView[]> {
    const rows = await this.sql.query<{
      id: string;
      state: string;
      format: string;
      source_file: string;
      rows_loaded: number;
      rows_rejected: number;
      loaded_by: string | null;
      loaded_at: Date;
    }>(
      `SELECT id, state, format, source_file, rows_loaded, rows_rejected, loaded_by, loaded_at
       FROM state_school_directory_loads WHERE ($1::text IS NULL OR state = $1) ORDER BY loaded_at DESC, id DESC LIMIT $2`,
      [state, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      state: r.state,
      format: r.format,
      sourceFile: r.source_file,
      rowsLoaded: r.rows_loaded,
      rowsRejected: r.rows_rejected,
      loadedBy: r.loaded_by,
      loadedAt: r.loaded_at,
    }));
  }
}
