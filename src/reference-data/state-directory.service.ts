import { DomainErrorCode, DomainException } from 'src/common/domain.exception';
import { DIRECTORY_FORMATS, defaultFormatFor } from 'src/reference-data/directory-formats';
import { Injectable } from '@nestjs/common';
import type { Principal } from 'src/auth/auth.types';
import type { LoadStateDirectoryDto } from 'src/reference-data/state-directory.dto';
import {
  StateDirectoryRepository,
  type DirectoryLoadView,
} from 'src/reference-data/state-directory.repository';
import type { DirectoryLoadReport } from 'src/reference-data/state-directory.types';

export interface DirectoryLoadInput {
  state: string;
  /** A key of DIRECTORY_FORMATS; default: the state's own format. */
  format?: string;
  sourceFile: string;
  content: string;
  loadedBy: string | null;
}

/**
 * Loads a state's school directory file: parses it (bad lines are reported, the rest load), then replaces the
 * state's rows. A file with no loadable school replaces nothing (a wrong file must not wipe the directory).
 */
export async function loadStateDirectory(
  repo: StateDirectoryRepository,
  input: DirectoryLoadInput,
): Promise<DirectoryLoadReport> {
  const state = input.state.toUpperCase();
  const formatName = input.format ?? defaultFormatFor(state);
  const format = formatName ? DIRECTORY_FORMATS[formatName] : undefined;
  if (!formatName || !format)
    throw new DomainException(
      DomainErrorCode.INVALID,
      `no school directory format ${input.format ? `'${input.format}'` : `for state ${state}`} (known: ${Object.keys(DIRECTORY_FORMATS).join(', ')})`,
    );
  if (format.state !== state)
    throw new DomainException(
      DomainErrorCode.INVALID,
      `format ${formatName} loads ${format.state}, not ${state}`,
    );
  const { schools, problems } = format.parse(input.content);
  const report: DirectoryLoadReport = {
    state,
    format: formatName,
    sourceFile: input.sourceFile,
    rowsLoaded: schools.length,
    rowsRejected: problems.length,
    problems,
  };
  if (schools.length === 0)
    throw new DomainException(
      DomainErrorCode.INVALID,
      `${input.sourceFile}: no school could be loaded${problems.length ? ` (${problems[0].message}, line ${problems[0].line})` : ''}; the ${state} directory is unchanged`,
    );
  await repo.replaceState(report, schools, input.loadedBy);
  return report;
}

/** Support loads a directory through the API; the load is recorded with the user's email. */
@Injectable()
export class StateDirectoryService {
  constructor(private readonly repo: StateDirectoryRepository) {}

  load(p: Principal, dto: LoadStateDirectoryDto): Promise<DirectoryLoadReport> {
    return loadStateDirectory(this.repo, {
      state: dto.state,
      format: dto.format,
      sourceFile: dto.fileName,
      content: dto.content,
      loadedBy: p.email,
    });
  }

  loads(state: string | null): Promise<DirectoryLoadView[]> {
    return this.repo.loads(state);
  }
}
