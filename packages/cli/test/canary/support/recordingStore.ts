import type { PermissionStore } from '@callperm/core';
import { safeJson } from './canaryScan.js';

/**
 * The store with every call's arguments and answer written to `texts` as JSON:
 * records, side documents (inbox slots that are deleted again, call traces,
 * follow-up backoffs, Page facts), remembered ids and history, as the service
 * hands them over, whatever the driver keeps of them in the end.
 *
 * @example
 * const store = recordingStore(opened.store, texts);
 */
export const recordingStore = (inner: PermissionStore, texts: string[]): PermissionStore => new Proxy(inner, {
  get(target, key, receiver) {
    const value: unknown = Reflect.get(target, key, receiver);
    if (typeof value !== 'function') return value;
    return (...args: unknown[]): unknown => {
      texts.push(safeJson({ call: String(key), args }));
      const out = (value as (...a: unknown[]) => unknown).apply(target, args);
      if (out instanceof Promise) return out.then((v: unknown) => { texts.push(safeJson(v)); return v; });
      return out;
    };
  },
});
