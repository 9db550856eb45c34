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

/** PGlite has no lock on its data directory; two processes on one directory corrupt it, so we add one. */
function acquireLock(dataDir: string): string {
  const lockFile = join(dirname(dataDir), `${resolve(dataDir).split(/[\\/]/).pop() ?? 'pgdata'}.lock`);
  mkdirSync(dirname(lockFile), { recursive: true });
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid !== process.pid && processAlive(pid)) {
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
  const release = (): void => {
    if (existsSync(lockFile)) unlinkSync(lockFile);
  };
  try {
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(
        () => fail(new EmbeddedPostgresException('embedded PostgreSQL did not start in 60 s')),
        60_000,
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
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
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
