import { EventEmitter } from 'node:events';
import type { Database } from 'better-sqlite3';
import type { DaemonEvent } from '#shared/admin-api.js';
import { walCheckpointer } from './store/db.js';

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
  const checkpoint = walCheckpointer(db); // after every commit: starts the WAL over once a checkpoint has copied it
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
      checkpoint();
      const done = queue;
      queue = null;
      for (const e of done) bus.publish(e);
      return result;
    } finally {
      queue = null;
    }
  }

  type Outcome = { ok: true; value: unknown; events: DaemonEvent[] } | { ok: false; error: unknown };
  // made once: better-sqlite3 builds a new wrapper for every db.transaction() call
  const inSavepoint = db.transaction((fn: () => unknown) => fn()); // nested: a savepoint, rolled back alone if fn throws
  let batch: { fn: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  // runs the units of a group commit, inside its transaction: `aroundGroup` lets the audit log write its head once
  // per commit instead of once per unit (a throw from it rolls the whole batch back)
  let around: (units: () => void) => void = (units) => units();

  /** Runs every queued unit in one transaction, each in its own savepoint, and settles them after the commit. */
  function flush(): void {
    const units = batch;
    batch = [];
    const outcomes: Outcome[] = [];
    try {
      db.transaction(() =>
        around(() => {
          for (const u of units) {
            queue = [];
            try {
              const value = inSavepoint(u.fn);
              outcomes.push({ ok: true, value, events: queue });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        }),
      ).immediate();
    } catch (error) {
      for (const u of units) u.reject(error); // the commit failed: nothing in the batch is durable
      return;
    } finally {
      queue = null;
    }
    checkpoint();
    units.forEach((u, i) => {
      const o = outcomes[i]!;
      if (!o.ok) {
        u.reject(o.error);
        return;
      }
      for (const e of o.events) bus.publish(e);
      u.resolve(o.value);
    });
  }

  /**
   * Group commit: like `transact`, but units queued in the same turn of the event loop share one transaction
   * and so one fsync. Each unit still commits or rolls back on its own (a savepoint each), and its promise
   * settles only after the shared commit is on disk, so an answer never leaves before its write is durable.
   */
  function transactGrouped<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      batch.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (batch.length === 1) setImmediate(flush);
    });
  }

  /** Sets what runs the units of every group commit, inside its transaction (daemon.ts: the audit log's `batch`). */
  function aroundGroup(fn: (units: () => void) => void): void {
    around = fn;
  }

  // afterWrite: also for writes made outside a transaction, such as the expiry sweep's purge
  return { transact, transactGrouped, enqueue, aroundGroup, afterWrite: checkpoint };
}
export type Transactor = ReturnType<typeof transactor>;
