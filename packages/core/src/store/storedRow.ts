import { CorruptDocError } from '../ports/CorruptDocError.js';
import type { DocKind, VersionedDoc } from '../ports/VersionedDoc.js';

/**
 * A stored whole number as drivers return it (SQLite numbers, Redis and
 * PostgreSQL text), or NaN when it is not one.
 *
 * @example
 * storedWhole('7'); // 7
 */
export const storedWhole = (stored: unknown): number =>
  typeof stored === 'number' ? stored : typeof stored === 'string' && stored !== '' ? Number(stored) : NaN;

/** A row version: a whole number >= 1, or null when the stored value is not one. */
export const storedVersion = (stored: unknown): number | null => {
  const n = storedWhole(stored);
  return Number.isSafeInteger(n) && n >= 1 ? n : null;
};

/**
 * Builds a {@link VersionedDoc} from what a driver read, refusing a version that
 * is not a whole number >= 1, a value that is not text, or a `dueAt` that is not
 * a whole number, with `CorruptDocError` naming the document.
 *
 * @example
 * docRow('inbox', 'k', '2', '{}', ''); // { version: 2, value: '{}', dueAt: null }
 */
export const docRow = (kind: DocKind, key: string, version: unknown, value: unknown, dueAt: unknown): VersionedDoc => {
  const v = storedVersion(version);
  if (v === null) {
    throw new CorruptDocError(kind, key, `the stored version ${JSON.stringify(version) ?? 'undefined'} is not a whole number >= 1`);
  }
  if (typeof value !== 'string') throw new CorruptDocError(kind, key, `the stored value is a ${value === null ? 'null' : typeof value}, not JSON text`);
  const due = dueAt === null || dueAt === '' || dueAt === undefined ? null : storedWhole(dueAt);
  if (due !== null && !Number.isSafeInteger(due)) throw new CorruptDocError(kind, key, `the stored dueAt ${JSON.stringify(dueAt) ?? 'undefined'} is not an instant`);
  return { version: v, value, dueAt: due };
};
