import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import type { Response } from 'express';
import type { Principal } from 'src/auth/auth.types';
import { csvCell } from 'src/scorecards/csv-safety.util';
import type { ExceptionsFilterDto, ExceptionItemDto } from 'src/scorecards/scorecards.dto';
import { ScorecardsRepository } from 'src/scorecards/scorecards.repository';
import { ScorecardsService } from 'src/scorecards/scorecards.service';

const COLUMNS: Array<[string, (i: ExceptionItemDto) => unknown]> = [
  ['rule_id', (i) => i.ruleId],
  ['rule_title', (i) => i.ruleTitle],
  ['severity', (i) => i.severity],
  ['state', (i) => i.state],
  ['excluded', (i) => i.excluded],
  ['school_id', (i) => i.school?.schoolId],
  ['school_name', (i) => i.school?.name],
  ['student_id', (i) => i.student?.studentId],
  ['state_student_id', (i) => i.student?.stateStudentId],
  ['last_name', (i) => i.student?.lastName],
  ['first_name', (i) => i.student?.firstName],
  ['grade', (i) => i.student?.grade],
  ['program_code', (i) => i.programCode],
  ['entity', (i) => i.entity],
  ['source_key', (i) => i.sourceKey],
  ['values', (i) => i.values],
  ['prescription', (i) => i.prescription],
  ['fingerprint', (i) => i.fingerprint],
  ['exclusion_reason', (i) => i.exclusion?.reason],
  ['exclusion_expires_at', (i) => i.exclusion?.expiresAt?.toISOString()],
  ['excluded_by', (i) => i.exclusion?.createdByEmail],
];

/** An exceptions list as CSV, streamed from a database cursor through csv-stringify, every cell neutralised. */
@Injectable()
export class ExceptionsExportService {
  constructor(
    private readonly scorecards: ScorecardsService,
    private readonly repo: ScorecardsRepository,
  ) {}

  async stream(p: Principal, districtId: string, q: ExceptionsFilterDto, res: Response): Promise<void> {
    const ctx = await this.scorecards.context(p, districtId, q);
    const query = this.scorecards.exceptionQuery(ctx, q);
    const repo = this.repo;
    const toItem = (r: Parameters<ScorecardsService['toItem']>[0]) => this.scorecards.toItem(r, ctx.catalog);
    async function* records(): AsyncGenerator<string[]> {
      if (!query) return;
      for await (const row of repo.streamExceptions(query)) {
        const item = toItem(row);
        yield COLUMNS.map(([, get]) => csvCell(get(item)));
      }
    }
    const day = ctx.evaluation?.asOf ?? 'none';
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="exceptions-${day}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    await pipeline(
      Readable.from(records()),
      stringify({ header: true, columns: COLUMNS.map(([name]) => name) }),
      res,
    );
  }
}
