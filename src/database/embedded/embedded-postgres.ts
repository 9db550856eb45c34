import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

export class EmbeddedPostgresException extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresException';
  }
}

export interface EmbeddedPostgres {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => ok(port));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sidecar = (dataDir: string, ext: string): string =>
  join(dirname(dataDir), `${resolve(dataDir).split(/[\\/]/).pop() ?? 'pgdata'}.${ext}`);

/** The process holding the data directory's lock, when it is alive. */
function lockHolder(lockFile: string): number | null {
  if (!existsSync(lockFile)) return null;
  const pid = Number(readFileSync(lockFile, 'utf8').trim());
  return Number.isInteger(pid) && pid !== process.pid && processAlive(pid) ? pid : null;
}

/**
 * The server another live process runs on this data directory, from the URL file it wrote next to its lock
 * (`pgdata.url`): a CLI connects to the running service's embedded PostgreSQL instead of being refused.
 */
export function runningEmbeddedPostgres(dataDir: string): EmbeddedPostgres | null {
  const pid = lockHolder(sidecar(dataDir, 'lock'));
  const urlFile = sidecar(dataDir, 'url');
  if (pid === null || !existsSync(urlFile)) return null;
  const [owner, url] = readFileSync(urlFile, 'utf8').trim().split(/\s+/);
  if (Number(owner) !== pid || !url?.startsWith('postgres://')) return null;
  return { url, dataDir, stop: () => Promise.resolve() };
}

/** PGlite has no lock on its data directory; two processes on one directory corrupt it, so we add one. */
function acquireLock(dataDir: string): string {
  const lockFile = sidecar(dataDir, 'lock');
  mkdirSync(dirname(lockFile), { recursive: true });
  if (existsSync(lockFile)) {
    const pid = lockHolder(lockFile);
    if (pid !== null) {
      throw new EmbeddedPostgresException(
        `the embedded database ${dataDir} is in use by process ${pid}; stop it or set DATABASE_URL`,
      );
    }
    unlinkSync(lockFile);
  }
  const fd = openSync(lockFile, 'wx');
  writeFileSync(fd, String(process.pid));
  closeSync(fd);
  return lockFile;
}

function childEntry(): { file: string; execArgv: string[] } {
  const js = join(__dirname, 'pglite-server.process.js');
  if (existsSync(js)) return { file: js, execArgv: [] };
  return { file: join(__dirname, 'pglite-server.process.ts'), execArgv: ['-r', '@swc-node/register'] };
}

/** Starts PGlite in a child process serving the wire protocol on a free loopback port. */
export async function startEmbeddedPostgres(dataDir: string, maxConnections = 40): Promise<EmbeddedPostgres> {
  const lockFile = acquireLock(dataDir);
  const port = await freePort();
  const { file, execArgv } = childEntry();
  const child: ChildProcess = fork(file, [], {
    execArgv,
    env: {
      ...process.env,
      PGLITE_DATA_DIR: resolve(dataDir),
      PGLITE_PORT: String(port),
      PGLITE_MAX_CONNECTIONS: String(maxConnections),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const urlFile = sidecar(dataDir, 'url');
  const release = (): void => {
    if (existsSync(urlFile)) unlinkSync(urlFile);
    if (existsSync(lockFile)) unlinkSync(lockFile);
  };
  try {
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(
        () => fail(new EmbeddedPostgresException('embedded PostgreSQL did not start in 180 s')),
        180_000,
      );
      child.once('message', (msg: { type: string; message?: string }) => {
        clearTimeout(timer);
        if (msg.type === 'ready') ok();
        else
          fail(
            new EmbeddedPostgresException(`embedded PostgreSQL failed: ${msg.message ?? 'unknown error'}`),
          );
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new EmbeddedPostgresException(`embedded PostgreSQL exited with code ${String(code)}`));
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    release();
    throw err;
  }
  child.once('exit', release);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  writeFileSync(urlFile, `${process.pid} ${url}\n`);
  return {
    url,
    dataDir,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => {
          release();
          ok();
        });
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
