import { CorruptDocError, type DocKind, type VersionedDoc } from '@callperm/core';

const whole = (stored: unknown): number =>
  typeof stored === 'number' ? stored : typeof stored === 'string' && stored !== '' ? Number(stored) : NaN;

/**
 * Builds a {@link VersionedDoc} from what a driver read (SQLite numbers, Redis and
 * PostgreSQL `bigint` text), refusing a version that is not a whole number >= 1,
 * a value that is not text, or a `dueAt` that is not a whole number, with
 * `CorruptDocError` naming the document.
 *
 * @example
 * docRow('inbox', 'k', '2', '{}', ''); // { version: 2, value: '{}', dueAt: null }
 */
export const docRow = (kind: DocKind, key: string, version: unknown, value: unknown, dueAt: unknown): VersionedDoc => {
  const v = whole(version);
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new CorruptDocError(kind, key, `the stored version ${JSON.stringify(version) ?? 'undefined'} is not a whole number >= 1`);
  }
  if (typeof value !== 'string') throw new CorruptDocError(kind, key, `the stored value is a ${value === null ? 'null' : typeof value}, not JSON text`);
  const due = dueAt === null || dueAt === '' ? null : whole(dueAt);
  if (due !== null && !Number.isSafeInteger(due)) throw new CorruptDocError(kind, key, `the stored dueAt ${JSON.stringify(dueAt) ?? 'undefined'} is not an instant`);
  return { version: v, value, dueAt: due };
};
