import { CorruptRecordError, type Thread } from '@callperm/core';

/**
 * Reads a stored version number (drivers may return it as a number or as text),
 * refusing anything that is not a whole number >= 1.
 *
 * @example
 * parseVersion({ pageId: '1', psid: '2' }, '7'); // 7
 */
export const parseVersion = (thread: Thread, stored: unknown): number => {
  const n = typeof stored === 'number' ? stored : typeof stored === 'string' && stored !== '' ? Number(stored) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new CorruptRecordError(thread, `the stored version ${JSON.stringify(stored) ?? 'undefined'} is not a whole number >= 1`);
  }
  return n;
};
