/** A thread id as bound to SQLite: a BigInt for a canonical decimal, the text otherwise. */
export type SqliteKey = string | bigint;

/**
 * How a page id or PSID is stored in SQLite: Meta's ids are decimal numbers, so
 * a canonical one (no sign, no leading zero, at most 18 digits: always below
 * 2^63) is bound as an INTEGER (8 bytes at most, instead of 15-17 bytes of text,
 * in the table and again in the due index); anything else stays TEXT. The same id
 * always maps to the same value, so keys stay unique.
 *
 * @example
 * sqliteKey('1234567890123456'); // 1234567890123456n (stored as INTEGER)
 * sqliteKey('~callperm/inbox');  // '~callperm/inbox' (stored as TEXT)
 */
export const sqliteKey = (id: string): SqliteKey => (CANONICAL.test(id) ? BigInt(id) : id);

const CANONICAL = /^[1-9][0-9]{0,17}$/;

/**
 * Reads a stored key back as the id it came from (read with `safeIntegers(true)`).
 *
 * @example
 * idOfSqliteKey(1234567890123456n); // '1234567890123456'
 */
export const idOfSqliteKey = (stored: unknown): string => String(stored);
