import type { Thread } from '@callperm/core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Readers of the format-v1 storage corpus (`./v1/`): what callperm release 0.1.0
 * stored, generated once from that release and never regenerated or edited (see
 * `./v1/README.md`). This module only reads the files; the drivers' tests
 * (`../corpusV1.test.ts`) read the data through the stores.
 *
 * @example
 * for (const entry of corpusV1.threads()) await expectThread(store, entry);
 */

/**
 * A permission record exactly as release 0.1.0 wrote it (`schema: 1`): its layout
 * frozen here, apart from `PermissionRecord`, which moves on with the code.
 */
export interface RecordV1 {
  readonly schema: 1;
  readonly state: 'none' | 'requested' | 'approved' | 'rejected' | 'expired';
  readonly expiresAt: number | null;
  readonly provisional: boolean;
  readonly evidence: { readonly at: number; readonly rank: number; readonly weight: number } | null;
  readonly requests: readonly number[];
  readonly pending: {
    readonly at: number;
    readonly messageId: string | null;
    readonly ambiguous: boolean;
    readonly prior: RecordV1['state'];
  } | null;
  readonly lastInboundAt: number | null;
  readonly remote: {
    readonly at: number;
    readonly canRequest: boolean | null;
    readonly requestLimits: readonly LimitV1[];
    readonly canStartCall: boolean | null;
    readonly startCallLimits: readonly LimitV1[];
  } | null;
  readonly lastEventAt: number | null;
  readonly dueAt: number | null;
}

/** One quota window as a remote check reported it (format v1). */
export interface LimitV1 {
  readonly periodMs: number;
  readonly max: number;
  readonly used: number;
}

/** One thread of `threads.json`: its record at its version, and the record's packed forms. */
export interface CorpusThread {
  /** What this entry exercises (for test names). */
  readonly label: string;
  readonly thread: Thread;
  readonly version: number;
  /** The record as 0.1.0's `encodeRecord` wrote it (JSON). */
  readonly record: RecordV1;
  /** Base64 of `packRecord(record)` (one byte per char): the SQLite BLOB. */
  readonly packed: string;
  /** Base64 of `packRecord(record, [version])`: the memory store's slab layout. */
  readonly packedWithVersion: string;
}

/** One side document of `docs.json`, as 0.1.0's service wrote it. */
export interface CorpusDoc {
  readonly kind: 'call' | 'inbox';
  readonly key: string;
  readonly version: number;
  /** The JSON text exactly as stored. */
  readonly value: string;
  readonly dueAt: number | null;
  readonly expiresAt: number | null;
}

/** One remembered event id of `dedupe.json`: remembered at `now` until `until`. */
export interface CorpusDedupe {
  readonly id: string;
  readonly now: number;
  readonly until: number;
}

/** A Redis command of `redis.json`: the command name, then its arguments. */
export type RedisCommand = readonly [string, ...string[]];

/** The placeholder for the PostgreSQL schema name in `postgres.sql`. */
export const SCHEMA_PLACEHOLDER = '__SCHEMA__';
/** The placeholder for the Redis key prefix in the keys of `redis.json`. */
export const PREFIX_PLACEHOLDER = '__PREFIX__';

const dir = new URL('./v1/', import.meta.url);
const text = (name: string): string => readFileSync(new URL(name, dir), 'utf8');
const json = <T>(name: string): T => JSON.parse(text(name)) as T;

/**
 * A packed record of the corpus as the binary string `unpackRecord` reads (one
 * char per byte, 0..255).
 *
 * @example
 * unpackRecord(packedString(entry.packed)).record; // entry.record
 */
export const packedString = (base64: string): string => Buffer.from(base64, 'base64').toString('latin1');

/** The format-v1 corpus. */
export const corpusV1 = {
  threads: (): CorpusThread[] => json('threads.json'),
  docs: (): CorpusDoc[] => json('docs.json'),
  dedupe: (): CorpusDedupe[] => json('dedupe.json'),
  /** The SQLite file 0.1.0's `sqliteStore` wrote. Read-only: copy it before opening a store on it. */
  sqliteFile: fileURLToPath(new URL('callperm-v1.sqlite', dir)),
  /** `postgres.sql` for a schema named `schema` (a plain lower-case identifier, as `postgresStore` takes). */
  postgresSql: (schema: string): string => {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`not a plain schema name: ${JSON.stringify(schema)}`);
    return text('postgres.sql').replaceAll(SCHEMA_PLACEHOLDER, schema);
  },
  /** `redis.json` for the key prefix `prefix`: the placeholder is replaced in the keys (the second element) only. */
  redisCommands: (prefix: string): RedisCommand[] => json<RedisCommand[]>('redis.json').map(([name, key = '', ...rest]) => {
    const tag = `{${PREFIX_PLACEHOLDER}`;
    if (!key.startsWith(tag)) throw new Error(`redis.json: the key ${JSON.stringify(key)} does not start with ${tag}`);
    return [name, `{${prefix}${key.slice(tag.length)}`, ...rest];
  }),
};
