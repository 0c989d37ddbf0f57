import type { DocKind } from './VersionedDoc.js';

/**
 * A stored side document that does not decode (a damaged version in the store,
 * or JSON its reader's codec refuses). The document is named and left in place for
 * inspection; deleting it loses only what it held (a call's correlation, or a
 * delivery Meta will retry if it was never acknowledged).
 *
 * @example
 * await store.getDoc('inbox', key).catch((e) => e instanceof CorruptDocError && e.key); // key
 */
export class CorruptDocError extends Error {
  readonly code = 'corrupt_doc' as const;
  /** The format version the stored document claimed, when it named one this release could read the claim of. */
  readonly format: number | null;
  constructor(readonly kind: DocKind, readonly key: string, readonly detail: string, options?: { cause?: unknown; format?: number | null }) {
    super(`The stored ${kind} document ${JSON.stringify(key)} is corrupted (${detail}). Inspect or delete it.`, options);
    this.name = 'CorruptDocError';
    this.format = options?.format ?? null;
  }
}
