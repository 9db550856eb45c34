import type { PGlite } from '@electric-sql/pglite';
import { asError } from 'src/common/error-text.util';

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: Error) => void;
}

/** Frontend messages of the extended query protocol that leave the protocol mid-exchange until a Sync. */
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const SYNC = 'S'.charCodeAt(0);
const QUERY = 'Q'.charCodeAt(0);

/**
 * The query queue for the embedded PGlite socket server. pglite-socket's own queue forwards every wire
 * message separately, so the Parse/Bind/Execute/Sync exchanges of two connections interleave on PGlite's
 * single backend ("bind message supplies 5 parameters, but prepared statement "" requires 13"). This queue
 * gives one connection the backend from its first extended-protocol message until its Sync — and, like the
 * original, for as long as it holds a transaction open.
 */
export class ExclusiveQueryQueue {
  private readonly queue: QueuedMessage[] = [];
  private owner: number | null = null;
  private processing = false;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.process();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].handlerId === handlerId)
        this.queue.splice(i, 1)[0].reject(new Error('Handler disconnected'));
    }
  }

  /** A connection that went away while owning the backend: roll its transaction back and free the backend. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.owner = null;
    await this.process();
  }

  private next(): QueuedMessage | undefined {
    if (this.owner === null) return this.queue.shift();
    const i = this.queue.findIndex((m) => m.handlerId === this.owner);
    return i === -1 ? undefined : this.queue.splice(i, 1)[0];
  }

  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (let item = this.next(); item; item = this.next()) {
        let bytes = 0;
        const current = item;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(current.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                current.onData(data);
              },
            }),
          );
        } catch (err) {
          current.reject(asError(err));
          continue;
        }
        this.updateOwner(current);
        current.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  }

  private updateOwner(item: QueuedMessage): void {
    const type = item.message[0];
    if (EXTENDED.has(type)) {
      this.owner = item.handlerId;
    } else if (type === SYNC || type === QUERY) {
      this.owner = this.db.isInTransaction() ? item.handlerId : null;
    } else if (this.owner === null && this.db.isInTransaction()) {
      this.owner = item.handlerId;
    }
  }
}
