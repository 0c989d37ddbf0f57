import type BetterSqlite3 from 'better-sqlite3';

/** How the batch settles one of its operations. */
interface Settle {
  ok(): void;
  fail(e: unknown): void;
}

/** An operation of the open batch: done, its answer held until the COMMIT (a class: no closures per operation). */
class Waiting<T> implements Settle {
  constructor(
    private readonly value: T,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  ok(): void {
    this.resolve(this.value);
  }

  fail(e: unknown): void {
    this.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

/** Group commits open in this process, so one store can end the others' before it waits for the lock. */
const openGroups = new Set<{ flush(): void }>();

/**
 * Group commit for one better-sqlite3 connection. The first write of an event-loop
 * turn opens a `BEGIN IMMEDIATE` transaction; every store operation issued in that
 * turn (by any number of concurrent commands and webhook deliveries) runs inside
 * it, at once and in order, and all of them resolve only after the one `COMMIT`
 * at the end of the turn: nothing is acknowledged before it is durable, and a
 * failed commit rejects every operation in it. Each statement keeps its own
 * atomic check (compare-and-set on the version, dedupe on the id), so batching
 * weakens neither. A read resolves at once unless the open batch wrote its row
 * (then it waits for the commit, so nothing uncommitted is ever returned).
 *
 * @example
 * const group = groupCommit(db);
 * const changes = await group.write(() => update.run(...).changes);
 */
export const groupCommit = (db: BetterSqlite3.Database) => {
  let waiting: Settle[] = [];
  let open = false;
  /** Rows written in the open batch: a read of any other row sees only committed data and need not wait. */
  const dirty = new Set<string>();

  const self = {
    /** Ends the open batch now: COMMIT, then settle its operations. */
    flush(): void {
      if (!open) return;
      open = false;
      dirty.clear();
      openGroups.delete(self);
      const batch = waiting;
      waiting = [];
      try {
        db.exec('COMMIT');
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK');
        for (const w of batch) w.fail(e);
        return;
      }
      for (const w of batch) w.ok();
    },
  };

  const begin = (): void => {
    for (const other of openGroups) if (other !== self) other.flush(); // another connection here holds the lock
    db.exec('BEGIN IMMEDIATE');
    open = true;
    openGroups.add(self);
    setImmediate(() => self.flush());
  };

  const inBatch = <T>(work: () => T): Promise<T> => new Promise<T>((resolve, reject) => {
    let value: T;
    try {
      value = work();
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    waiting.push(new Waiting(value, resolve, reject));
  });

  /** Ends the open batch without committing: ROLLBACK, and every operation in it rejects with `error`. */
  const abort = (error: unknown): void => {
    open = false;
    dirty.clear();
    openGroups.delete(self);
    const batch = waiting;
    waiting = [];
    if (db.inTransaction) db.exec('ROLLBACK');
    for (const w of batch) w.fail(error);
  };

  return {
    /**
     * Like `write`, for work of several statements that must land whole: if it
     * throws part way, the open batch is rolled back and every operation in it
     * rejects (a savepoint per operation would cost two more statements each).
     */
    writeWhole<T>(work: () => T, row?: string): Promise<T> {
      return this.write(() => {
        try {
          return work();
        } catch (e) {
          abort(e);
          throw e;
        }
      }, row);
    },
    /** Runs `work` in this turn's transaction (opening it); resolves after its commit. `row` names what it writes. */
    write<T>(work: () => T, row?: string): Promise<T> {
      if (!open) {
        try {
          begin();
        } catch (e) {
          return Promise.reject(e instanceof Error ? e : new Error(String(e)));
        }
      }
      if (row !== undefined) dirty.add(row);
      return inBatch(work);
    },
    /**
     * Runs `work` now. A read of `row` while the open batch has written it sees
     * that write, so it resolves only after the commit; any other read resolves at once.
     */
    read<T>(work: () => T, row?: string): Promise<T> {
      if (open && (row === undefined || dirty.has(row))) return inBatch(work);
      return new Promise<T>((resolve) => resolve(work()));
    },
    /** Commits the open batch, if any (before closing, or before work that manages its own transaction). */
    flush: (): void => self.flush(),
  };
};
