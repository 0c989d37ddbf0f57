import { describe, expect, test } from 'vitest';
import {
  emptyRecord, memoryDriver, storeFromDriver, StoreClosedError,
  type DriverCommit, type PruneRequest, type StoreDriver,
} from '../../src/internals.js';

const thread = { pageId: '1', psid: '2' };
const MINUTE = 60_000;

/** The memory driver, with every call and every prune request it was handed written down. */
const spied = () => {
  const inner = memoryDriver();
  const calls: string[] = [];
  const prunes: PruneRequest[] = [];
  const driver: StoreDriver<'bytes'> = {
    ...inner,
    getThread: (t) => (calls.push('getThread'), inner.getThread(t)),
    commit: (c: DriverCommit<'bytes'>) => {
      calls.push('commit');
      if (c.prune !== null) prunes.push(c.prune);
      return inner.commit(c);
    },
    putDoc: (kind, key, v, value, write, prune) => {
      calls.push('putDoc');
      if (prune !== null) prunes.push(prune);
      return inner.putDoc(kind, key, v, value, write, prune);
    },
    close: () => (calls.push('close'), inner.close()),
  };
  return { driver, calls, prunes };
};

describe('storeFromDriver', () => {
  test('after close every method rejects with StoreClosedError (never throws) and never reaches the driver; the driver closes once', async () => {
    const { driver, calls } = spied();
    const store = storeFromDriver(driver);
    await store.close();
    await store.close();
    const attempts = [
      () => store.get(thread), () => store.compareAndSet(thread, 0, emptyRecord()), () => store.remember('x', 0, 1),
      () => store.commitThread({ thread, expectedVersion: 0, record: emptyRecord(), eventIds: [], now: 0, until: 0 }),
      () => store.due(0, 1), () => store.getDoc('call', 'k'), () => store.putDoc('call', 'k', 0, '{}', { now: 0, dueAt: null, expiresAt: null }),
      () => store.deleteDoc('call', 'k', 0), () => store.dueDocs('call', 0, 1), () => store.history(thread), () => store.reset(thread, 1, 0),
      () => store.retire(thread, 1),
    ];
    for (const attempt of attempts) {
      let p: Promise<unknown> | undefined;
      expect(() => { p = attempt(); }).not.toThrow();
      await expect(p).rejects.toBeInstanceOf(StoreClosedError);
    }
    expect(calls).toEqual(['close']);
  });

  test('a driver that throws synchronously rejects instead', async () => {
    const { driver } = spied();
    const store = storeFromDriver({ ...driver, getThread: () => { throw new Error('boom'); }, commit: () => { throw new Error('boom'); } });
    let p: Promise<unknown> | undefined;
    expect(() => { p = store.get(thread); }).not.toThrow();
    await expect(p).rejects.toThrow('boom');
    await expect(store.remember('x', 0, 1)).rejects.toThrow('boom');
    expect(() => { p = storeFromDriver({ ...driver, deleteThread: () => { throw new Error('boom'); } }).retire(thread, 1); }).not.toThrow();
    await expect(p).rejects.toThrow('boom');
  });

  test('retire maps the driver\'s answer to a result, and refuses a version no row is ever at without asking the driver', async () => {
    const { driver } = spied();
    const asked: number[] = [];
    const store = storeFromDriver({ ...driver, deleteThread: (t, v) => (asked.push(v), driver.deleteThread(t, v)) });
    expect(await store.retire(thread, 0)).toEqual({ ok: true, version: 0 });
    expect(await store.compareAndSet(thread, 0, emptyRecord())).toEqual({ ok: true, version: 1 });
    expect(await store.retire(thread, 2)).toEqual({ ok: false, reason: 'conflict' });
    expect(await store.retire(thread, 1)).toEqual({ ok: true, version: 0 });
    expect(await store.get(thread)).toBeNull();
    for (const bad of [-1, 0.5, Number.NaN, Infinity, 2 ** 53]) {
      let p: Promise<unknown> | undefined;
      expect(() => { p = store.retire(thread, bad); }).not.toThrow();
      await expect(p).rejects.toBeInstanceOf(RangeError);
    }
    expect(asked).toEqual([0, 2, 1]);
  });

  test('prunes ride on writes at most once a minute of callers\' time, with the newest retention asked for; compareAndSet carries none', async () => {
    const { driver, prunes } = spied();
    const store = storeFromDriver(driver, { pruneEveryMs: MINUTE });
    const t0 = 10 * MINUTE;
    await store.compareAndSet(thread, 0, emptyRecord());
    expect(prunes).toEqual([]);
    await store.commitThread({ thread, expectedVersion: 1, record: emptyRecord(), eventIds: ['a'], now: t0, until: t0, historyBefore: t0 - 5 });
    await store.remember('b', t0 + MINUTE - 1, t0 + MINUTE);
    await store.putDoc('call', 'k', 0, '{}', { now: t0 + MINUTE - 1, dueAt: null, expiresAt: null });
    expect(prunes).toEqual([{ now: t0, historyBefore: t0 - 5 }]);
    await store.putDoc('call', 'k', 1, '{}', { now: t0 + MINUTE, dueAt: null, expiresAt: null });
    await store.commitThread({ thread, expectedVersion: 2, record: emptyRecord(), eventIds: [], now: t0 + 2 * MINUTE, until: 0, historyBefore: t0 + 7 });
    expect(prunes).toEqual([{ now: t0, historyBefore: t0 - 5 }, { now: t0 + MINUTE, historyBefore: t0 - 5 }, { now: t0 + 2 * MINUTE, historyBefore: t0 + 7 }]);
  });

  test('a row whose version is not a whole number is a CorruptRecordError with no version to reset at', async () => {
    const { driver } = spied();
    const store = storeFromDriver({ ...driver, getThread: () => Promise.resolve({ version: 'x', record: new Uint8Array() }) });
    await expect(store.get(thread)).rejects.toMatchObject({ code: 'corrupt_record', version: null });
  });
});
