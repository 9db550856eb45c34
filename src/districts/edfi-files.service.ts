import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import {
  InterchangeError,
  interchangeRoot,
  readInterchange,
} from 'connectors/sdk/drivers/edfi/interchange-reader';
import type { Principal } from 'src/auth/auth.types';
import { TenantScope } from 'src/auth/tenant-scope';
import { errorText } from 'src/common/error-text.util';
import { DomainException } from 'src/common/domain.exception';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { DistrictsRepository } from 'src/districts/districts.repository';
import { LinksRepository } from 'src/districts/links.repository';
import type { SisLinkEntity } from 'src/districts/sis-link.entity';

/** What multer stored of one uploaded part (disk storage, under a random name in the incoming directory). */
export interface StagedFile {
  originalname: string;
  path: string;
  size: number;
}

/** One interchange file in a link's upload folder. */
export interface EdfiFileView {
  name: string;
  size: number;
  uploadedAt: string;
}

/** An accepted upload: the file as stored, its interchange and how many records it holds. */
export interface EdfiUploadedView extends EdfiFileView {
  interchange: string;
  records: number;
}

/**
 * A plain file name: no folder, no leading dot, ASCII letters, digits, `.`, `_`, `-` and spaces, ending in
 * `.xml`. Anything else (`../x.xml`, `a/b.xml`, `C:\x.xml`, `.hidden.xml`) is refused, not rewritten.
 */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,195}\.xml$/i;

export function checkFileName(name: string): string {
  if (!FILE_NAME.test(name) || name.includes('..'))
    throw DomainException.invalid(
      `file name ${JSON.stringify(name.slice(0, 200))} is refused: a plain name ending in .xml (letters, digits, '.', '_', '-', spaces; no folder)`,
    );
  return name;
}

/** The directory multer streams request bodies into before they are checked (same file system as the link folders). */
export function incomingDir(config: AppConfig): string {
  return resolve(config.app.UPLOADS_DIR, '.incoming');
}

/** A link's upload folder: `<UPLOADS_DIR>/links/<link id>` (its `settings.path` once it has files). */
export function uploadFolderOf(config: AppConfig, linkId: string): string {
  return resolve(config.app.UPLOADS_DIR, 'links', linkId);
}

/**
 * Ed-Fi XML interchange files uploaded through the API to a direct `edfi_xml` link. A link's files live in
 * `<UPLOADS_DIR>/links/<link id>/`, which becomes the link's `settings.path` on its first upload, so the next
 * run reads them. Every file is streamed to disk by multer (never held in memory), then read once through the
 * interchange reader: a file that is not a well-formed interchange is refused with its name and line, and
 * nothing of the request is kept; accepted files are renamed into the folder (replacing a file of the same name).
 */
@Injectable()
export class EdfiFilesService {
  constructor(
    private readonly links: LinksRepository,
    private readonly districts: DistrictsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The link in the caller's district, if it takes uploads (checked before any body is read, and again after). */
  async requireUploadLink(p: Principal, districtId: string, linkId: string): Promise<SisLinkEntity> {
    const scope = TenantScope.of(p);
    if (!(await this.districts.find(scope, districtId))) throw DomainException.notFound('district');
    const link = await this.links.find(scope, districtId, linkId);
    if (!link) throw DomainException.notFound('link');
    if (link.settings.driver !== 'edfi_xml')
      throw DomainException.conflict(
        `link '${link.name}' reads ${link.settings.driver}, not Ed-Fi XML interchange files: files are uploaded to an edfi_xml link only`,
      );
    if (link.transport === 'agent' || link.agentId)
      throw DomainException.conflict(
        `link '${link.name}' is read by the district's agent from a folder on its host: upload the files there, or unbind the agent to upload them here`,
      );
    const own = this.folderOf(link.id);
    if (link.settings.path && resolve(link.settings.path) !== own)
      throw DomainException.conflict(
        `link '${link.name}' reads the folder ${link.settings.path} on the service host: remove settings.path from the link (PATCH) to read uploaded files instead`,
      );
    return link;
  }

  async upload(
    p: Principal,
    districtId: string,
    linkId: string,
    staged: StagedFile[],
  ): Promise<EdfiUploadedView[]> {
    try {
      const link = await this.requireUploadLink(p, districtId, linkId);
      if (staged.length === 0)
        throw DomainException.invalid('no file: send the interchange files as multipart field "files"');
      const names = staged.map((f) => checkFileName(f.originalname));
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      if (dup) throw DomainException.invalid(`file ${dup} is sent twice`);
      const checked: Array<{ interchange: string; records: number }> = [];
      for (const [i, f] of staged.entries()) checked.push(await checkInterchange(f.path, names[i]));
      const folder = this.folderOf(link.id);
      await mkdir(folder, { recursive: true });
      const out: EdfiUploadedView[] = [];
      for (const [i, f] of staged.entries()) {
        const target = join(folder, names[i]);
        await rename(f.path, target);
        out.push({ ...(await fileView(folder, names[i])), ...checked[i] });
      }
      if (link.settings.path !== folder)
        await this.links.setSettingsPath(TenantScope.of(p), districtId, link.id, folder);
      return out;
    } finally {
      // Whatever was not renamed into the folder (refused, or a failure half-way) goes.
      await Promise.all(staged.map((f) => rm(f.path, { force: true })));
    }
  }

  async list(p: Principal, districtId: string, linkId: string): Promise<EdfiFileView[]> {
    const link = await this.requireUploadLink(p, districtId, linkId);
    const folder = this.folderOf(link.id);
    const names = await readdir(folder).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    const xml = names.filter((n) => FILE_NAME.test(n)).sort();
    return Promise.all(xml.map((n) => fileView(folder, n)));
  }

  async remove(p: Principal, districtId: string, linkId: string, name: string): Promise<void> {
    const link = await this.requireUploadLink(p, districtId, linkId);
    const path = join(this.folderOf(link.id), checkFileName(name));
    try {
      await rm(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw DomainException.notFound(`file ${name}`);
      throw err;
    }
  }

  private folderOf(linkId: string): string {
    return uploadFolderOf(this.config, linkId);
  }
}

async function fileView(folder: string, name: string): Promise<EdfiFileView> {
  const info = await stat(join(folder, name));
  return { name, size: info.size, uploadedAt: info.mtime.toISOString() };
}

/**
 * Streams a file once through the interchange reader: its root must be an Ed-Fi interchange and it must be
 * well-formed XML throughout. The first error is refused with `name:line:column: message`.
 */
async function checkInterchange(
  path: string,
  name: string,
): Promise<{ interchange: string; records: number }> {
  const root = await interchangeRoot(path);
  if (!root)
    throw DomainException.invalid(
      `${name}:1: not an XML document (no root element): not an Ed-Fi interchange`,
    );
  if (!root.startsWith('Interchange'))
    throw DomainException.invalid(
      `${name}: root element <${root}> is not an Ed-Fi interchange (InterchangeStudent, InterchangeStudentEnrollment …)`,
    );
  let records = 0;
  try {
    for await (const batch of readInterchange(path, undefined, name)) {
      for (const rec of batch) {
        if (rec.errors.length > 0)
          throw DomainException.invalid(`${rec.errors[0]} (not well-formed XML; the upload is refused)`);
        records += 1;
      }
    }
  } catch (err) {
    if (err instanceof DomainException) throw err;
    if (err instanceof InterchangeError)
      throw DomainException.invalid(`${err.message} (not well-formed XML; the upload is refused)`);
    throw DomainException.invalid(`${name}: could not be read: ${errorText(err)}`);
  }
  return { interchange: root, records };
}
