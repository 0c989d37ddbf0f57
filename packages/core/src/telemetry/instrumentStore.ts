import type { PermissionStore } from '../ports/PermissionStore.js';
import { errorCode } from './CallpermLogger.js';
import type { ServiceTelemetry } from './serviceTelemetry.js';

/** Times one store call (only when telemetry is on). */
const timed = <T>(tel: ServiceTelemetry, method: string, startedAt: number, call: Promise<T>): Promise<T> => call.then(
  (value) => {
    tel.storeCall(method, startedAt, null);
    return value;
  },
  (e: unknown) => {
    tel.storeCall(method, startedAt, errorCode(e));
    throw e;
  },
);

/**
 * The store with each call timed into `callperm.store.duration` while `tel.on`;
 * while it is off each method only checks the flag and calls through (no
 * closure, no allocation). Internal.
 *
 * @example
 * const store = instrumentStore(options.store, new ServiceTelemetry());
 */
export const instrumentStore = (store: PermissionStore, tel: ServiceTelemetry): PermissionStore => ({
  get: (thread) => (tel.on ? timed(tel, 'get', performance.now(), store.get(thread)) : store.get(thread)),
  compareAndSet: (thread, expected, record) => (tel.on
    ? timed(tel, 'compareAndSet', performance.now(), store.compareAndSet(thread, expected, record))
    : store.compareAndSet(thread, expected, record)),
  remember: (id, now, until) => (tel.on ? timed(tel, 'remember', performance.now(), store.remember(id, now, until)) : store.remember(id, now, until)),
  commitThread: (commit) => (tel.on ? timed(tel, 'commitThread', performance.now(), store.commitThread(commit)) : store.commitThread(commit)),
  due: (before, limit) => (tel.on ? timed(tel, 'due', performance.now(), store.due(before, limit)) : store.due(before, limit)),
  getDoc: (kind, key) => (tel.on ? timed(tel, 'getDoc', performance.now(), store.getDoc(kind, key)) : store.getDoc(kind, key)),
  putDoc: (kind, key, expected, value, write) => (tel.on
    ? timed(tel, 'putDoc', performance.now(), store.putDoc(kind, key, expected, value, write))
    : store.putDoc(kind, key, expected, value, write)),
  deleteDoc: (kind, key, expected) => (tel.on ? timed(tel, 'deleteDoc', performance.now(), store.deleteDoc(kind, key, expected)) : store.deleteDoc(kind, key, expected)),
  dueDocs: (kind, before, limit) => (tel.on ? timed(tel, 'dueDocs', performance.now(), store.dueDocs(kind, before, limit)) : store.dueDocs(kind, before, limit)),
  history: (thread, query) => (tel.on ? timed(tel, 'history', performance.now(), store.history(thread, query)) : store.history(thread, query)),
  reset: (thread, version, now) => (tel.on ? timed(tel, 'reset', performance.now(), store.reset(thread, version, now)) : store.reset(thread, version, now)),
  retire: (thread, version) => (tel.on ? timed(tel, 'retire', performance.now(), store.retire(thread, version)) : store.retire(thread, version)),
  close: () => store.close(),
});
