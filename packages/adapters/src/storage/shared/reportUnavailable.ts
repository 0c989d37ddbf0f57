import type { RecordForm, StoreDriver } from '@callperm/core/store';
import { StoreUnavailableError } from './StoreUnavailableError.js';

/**
 * The driver with every call's connection faults (as `isConnectionFault` tells
 * them) rejected as {@link StoreUnavailableError} instead of the client's own
 * error, so hosts can tell "the store is down, retry" from a bug. Other errors
 * pass unchanged; every other property of the driver is kept.
 *
 * @example
 * return reportUnavailable(driver, isPostgresConnectionFault);
 */
export const reportUnavailable = <F extends RecordForm, D extends StoreDriver<F>>(driver: D, isConnectionFault: (e: unknown) => boolean): D => {
  const typed = (e: unknown): never => {
    throw isConnectionFault(e) ? new StoreUnavailableError(driver.name, { cause: e }) : e;
  };
  const guard = <T>(answer: T | Promise<T>): Promise<T> => Promise.resolve(answer).catch(typed);
  const guarded: StoreDriver<F> = {
    ...driver,
    getThread: (thread) => guard(driver.getThread(thread)),
    commit: (commit) => guard(driver.commit(commit)),
    deleteThread: (thread, expectedVersion) => guard(driver.deleteThread(thread, expectedVersion)),
    dueThreads: (before, limit) => guard(driver.dueThreads(before, limit)),
    getDoc: (kind, key) => guard(driver.getDoc(kind, key)),
    putDoc: (kind, key, expectedVersion, value, write, prune) => guard(driver.putDoc(kind, key, expectedVersion, value, write, prune)),
    deleteDoc: (kind, key, expectedVersion) => guard(driver.deleteDoc(kind, key, expectedVersion)),
    dueDocs: (kind, before, limit) => guard(driver.dueDocs(kind, before, limit)),
    readHistory: (thread, before, limit) => guard(driver.readHistory(thread, before, limit)),
  };
  return guarded as D; // D's own members beyond the contract are kept by the spread
};
