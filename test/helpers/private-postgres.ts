import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from 'test/helpers/process';

const BIN = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

export interface PrivatePostgresOptions {
  /** Serve TLS with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
}

/** A PostgreSQL server of its own (initdb + pg_ctl, free port, temporary directory): stop, start, remove. */
export interface PrivatePostgres {
  port: number;
  dir: string;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  start(): Promise<void>;
  /** Fast shutdown (terminates every session), the way a restart does. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and deletes its directory. */
  remove(): Promise<void>;
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` system user. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

function run(cmd: string, args: string[], user: { uid: number; gid: number } | null): Promise<string> {
  const opts: SpawnOptions = { stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}) };
  return new Promise((resolve, reject) => {
    const child = spawn(join(BIN, cmd), args, opts);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}: ${out}`)),
    );
  });
}

/** Waits until the server accepts a query (pg_ctl -w returns once the postmaster is ready, this is a backstop). */
async function ready(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch (err) {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startPrivatePostgres(o: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'sis-certify-pg-'));
  const data = join(dir, 'data');
  if (user) chownSync(dir, user.uid, user.gid);
  chmodSync(dir, 0o700);
  await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'], user);
  const port = await freePort();
  const settings = [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${dir}'`,
    'fsync = off',
    'max_connections = 60',
    'shared_buffers = 32MB',
  ];
  if (o.tls) {
    const cert = join(dir, 'server.crt');
    const key = join(dir, 'server.key');
    writeFileSync(cert, o.tls.cert);
    writeFileSync(key, o.tls.key, { mode: 0o600 });
    if (user) {
      chownSync(cert, user.uid, user.gid);
      chownSync(key, user.uid, user.gid);
    }
    settings.push('ssl = on', `ssl_cert_file = '${cert}'`, `ssl_key_file = '${key}'`);
    // TLS only: a client that does not ask for TLS is refused, so a test cannot pass over plain TCP.
    writeFileSync(
      join(data, 'pg_hba.conf'),
      'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n',
    );
    if (user) chownSync(join(data, 'pg_hba.conf'), user.uid, user.gid);
  }
  writeFileSync(join(data, 'postgresql.auto.conf'), `${settings.join('\n')}\n`);
  if (user) chownSync(join(data, 'postgresql.auto.conf'), user.uid, user.gid);

  const url = (database = 'postgres'): string => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const readyUrl = o.tls ? `${url()}?sslmode=no-verify` : url();
  let running = false;
  const pg: PrivatePostgres = {
    port,
    dir,
    url,
    async start() {
      await run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '120', 'start'], user);
      running = true;
      await ready(readyUrl);
    },
    async stop() {
      if (!running) return;
      await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '120', 'stop'], user);
      running = false;
    },
    async restart() {
      await pg.stop();
      await pg.start();
    },
    async remove() {
      if (existsSync(join(data, 'postmaster.pid'))) {
        await run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '60', 'stop'], user).catch(
          () => undefined,
        );
      }
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await pg.start();
  } catch (err) {
    await pg.remove();
    throw err;
  }
  return pg;
}

/** A self-signed certificate (its own CA) for 127.0.0.1 and localhost, made with openssl. */
export function selfSignedCertificate(commonName = 'localhost'): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sis-certify-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
