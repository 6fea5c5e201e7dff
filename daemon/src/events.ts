import { EventEmitter } from 'node:events';
import type { Database } from 'better-sqlite3';
import type { DaemonEvent } from '../../shared/src/admin-api.js';

/** Live updates for the extension (SSE). Events are published only after their transaction commits. */
export function eventBus() {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(100);
  return {
    publish: (e: DaemonEvent) => void emitter.emit('event', e),
    subscribe(listener: (e: DaemonEvent) => void): () => void {
      emitter.on('event', listener);
      return () => void emitter.off('event', listener);
    },
  };
}
export type EventBus = ReturnType<typeof eventBus>;

/**
 * Runs `fn` in one IMMEDIATE transaction (durable at commit: synchronous=FULL) and publishes the events it
 * queued once, after the commit. A throw rolls everything back and publishes nothing.
 */
export function transactor(db: Database, bus: EventBus) {
  let queue: DaemonEvent[] | null = null;
  const enqueue = (e: DaemonEvent): void => {
    if (queue === null) throw new TypeError('events can only be queued inside a transaction');
    queue.push(e);
  };
  function transact<T>(fn: () => T): T {
    if (queue !== null) return fn(); // nested: joins the outer unit
    queue = [];
    try {
      const result = db.transaction(fn).immediate();
      const done = queue;
      queue = null;
      for (const e of done) bus.publish(e);
      return result;
    } finally {
      queue = null;
    }
  }
  return { transact, enqueue };
}
export type Transactor = ReturnType<typeof transactor>;
