/**
 * Child process that owns the embedded PostgreSQL (PGlite) and serves the PostgreSQL wire protocol on
 * 127.0.0.1, so TypeORM, pg-boss and the rest use the ordinary `pg` driver. It runs in its own process
 * because PGlite executes queries on the event loop of the process that hosts it.
 * Messages to the parent: { type: 'ready', port } | { type: 'error', message }.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import { errorText } from 'src/common/error-text.util';
// Same-folder relative import: this file is also started directly as a child process entry.
import { ExclusiveQueryQueue } from './exclusive-query-queue';

async function main(): Promise<void> {
  const dataDir = process.env.PGLITE_DATA_DIR;
  const port = Number(process.env.PGLITE_PORT);
  const maxConnections = Number(process.env.PGLITE_MAX_CONNECTIONS ?? '40');
  if (!dataDir || !Number.isInteger(port)) throw new Error('PGLITE_DATA_DIR and PGLITE_PORT are required');
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir });
  // pglite-socket's handler with our queue (see ExclusiveQueryQueue); its queue type is a class with
  // private fields, hence the cast to the option's type.
  const queryQueue = new ExclusiveQueryQueue(db) as unknown as PGLiteSocketHandlerOptions['queryQueue'];
  const handlers = new Set<PGLiteSocketHandler>();
  const server = createServer((socket: Socket) => {
    if (handlers.size >= maxConnections) {
      socket.end('Too many connections\n');
      return;
    }
    const handler = new PGLiteSocketHandler({ queryQueue, closeOnDetach: true });
    handlers.add(handler);
    const forget = (): void => void handlers.delete(handler);
    handler.addEventListener('close', forget);
    handler.addEventListener('error', forget);
    handler.attach(socket).catch(() => {
      forget();
      socket.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  const stop = async (): Promise<void> => {
    for (const h of handlers) await h.detach(true);
    await new Promise<void>((ok) => server.close(() => ok()));
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('disconnect', () => void stop());
  process.send?.({ type: 'ready', port });
}

main().catch((err: unknown) => {
  process.send?.({ type: 'error', message: errorText(err) });
  process.exit(1);
});
