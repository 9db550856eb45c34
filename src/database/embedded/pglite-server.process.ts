/**
 * Child process that owns the embedded PostgreSQL (PGlite) and serves the PostgreSQL wire protocol on
 * 127.0.0.1, so TypeORM, pg-boss and the COPY paths use the ordinary `pg` driver. It runs in its own
 * process because PGlite executes queries on the event loop of the process that hosts it.
 * Messages to the parent: { type: 'ready', port } | { type: 'error', message }.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

async function main(): Promise<void> {
  const dataDir = process.env.PGLITE_DATA_DIR;
  const port = Number(process.env.PGLITE_PORT);
  const maxConnections = Number(process.env.PGLITE_MAX_CONNECTIONS ?? '40');
  if (!dataDir || !Number.isInteger(port)) throw new Error('PGLITE_DATA_DIR and PGLITE_PORT are required');
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir });
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections });
  await server.start();
  const stop = async (): Promise<void> => {
    await server.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('disconnect', () => void stop());
  process.send?.({ type: 'ready', port });
}

main().catch((err: unknown) => {
  process.send?.({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
