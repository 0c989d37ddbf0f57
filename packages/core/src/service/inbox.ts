import * as t from 'io-ts';
import type { Clock } from '../ports/Clock.js';
import type { PermissionStore } from '../ports/PermissionStore.js';
import type { WebhookEvent } from '../webhookEvent.js';
import { ContentionError } from './commitSteps.js';
import { decodeDoc } from './decodeDoc.js';
import { encodeJson, type JsonFormat } from '../store/versionedJson.js';
import { WebhookEventCodec } from './WebhookEventCodec.js';

/** A delivery recorded in the inbox: hand it back to `inbox.done` once its events are applied. */
export interface InboxTicket {
  /** The inbox slot: the key of an `inbox` document. */
  readonly key: string;
  /** The delivery's event ids: `done` deletes the slot only while it still holds this delivery. */
  readonly ids: readonly string[];
}

/** One inbox slot: the events of a delivery still to apply, and their ids. */
export interface InboxEntry {
  readonly ids: readonly string[];
  readonly events: readonly WebhookEvent[];
  readonly receivedAt: number;
  /** Failed attempts to apply it so far (by any host's sweep). */
  readonly attempts: number;
  /** What the last failed attempt got (an error's `code` or class name, never its message), or null. */
  readonly lastError: string | null;
  /** When it was moved aside (an `inbox_aside` document) after `inboxMaxAttempts` failures; null in the inbox. */
  readonly movedAsideAt: number | null;
}

const InboxEntryCodec: t.Type<InboxEntry, InboxEntry, unknown> = t.readonly(t.type({
  ids: t.readonlyArray(t.string),
  events: t.readonlyArray(WebhookEventCodec),
  receivedAt: t.number,
  attempts: t.number,
  lastError: t.union([t.string, t.null]),
  movedAsideAt: t.union([t.number, t.null]),
}));

/**
 * The inbox document's stored format (also the `inbox_aside` document's).
 * 1: release 0.1.0 (no version field); 2: the version in `v`, nothing else
 * changed; 3: `attempts`, `lastError` and `movedAsideAt` (a delivery stored
 * before read as never tried, in the inbox).
 *
 * @example
 * encodeJson(inboxFormat, entry); // '{"v":3,"ids":[...],...}'
 */
export const inboxFormat: JsonFormat<InboxEntry> = {
  name: 'inbox entry', field: 'v', version: 3, codec: InboxEntryCodec,
  upgrades: [(v1) => ({ ...v1 }), (v2) => ({ ...v2, attempts: 0, lastError: null, movedAsideAt: null })],
};

/** What the inbox needs. `graceMs`: how long a recorded delivery is left to its receiving host before `sweep` takes it. */
export interface InboxDeps {
  readonly store: PermissionStore;
  readonly clock: Clock;
  readonly maxAttempts: number;
  readonly graceMs: number;
}

/** FNV-1a over the ids, twice with different offsets: a short slot key. Collisions are resolved by probing. */
const digest = (ids: readonly string[]): string => {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ ids.length;
  for (const id of ids) {
    for (let i = 0; i < id.length; i += 1) {
      const c = id.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193) >>> 0;
      b = Math.imul(b ^ c, 0x01000193 + 2) >>> 0;
    }
    a = Math.imul(a ^ 0x1f, 0x01000193) >>> 0;
    b = Math.imul(b ^ 0x1f, 0x01000193 + 2) >>> 0;
  }
  return `${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}`;
};

const sameIds = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * Reads an inbox slot, or null when it is empty. A slot that does not decode is a `CorruptDocError`.
 *
 * @example
 * const slot = await readInbox(store, ticket.key);
 */
export const readInbox = async (store: PermissionStore, key: string): Promise<{ entry: InboxEntry; version: number } | null> => {
  const doc = await store.getDoc('inbox', key);
  return doc === null ? null : { entry: decodeDoc('inbox', key, doc.value, inboxFormat), version: doc.version };
};

/**
 * Records a delivery's events durably, for processing later (by the host that
 * received it, or by any host's `sweep` once `graceMs` has passed: the slot's
 * `dueAt`). Resolves once the store has them. Recording the same events again
 * while they wait finds the same slot, so a retried delivery occupies one slot;
 * different events that hash alike take the next.
 *
 * @example
 * const ticket = await putInbox(deps, events); // now answer Meta 200
 * await permissions.ingest(events);
 * await completeInbox(deps, ticket);
 */
export const putInbox = async (deps: InboxDeps, events: readonly WebhookEvent[]): Promise<InboxTicket> => {
  const ids = events.map((e) => e.id);
  const base = digest(ids);
  for (let probe = 0, attempts = 0; attempts < deps.maxAttempts; attempts += 1) {
    const key = probe === 0 ? base : `${base}.${probe}`;
    const slot = await readInbox(deps.store, key);
    if (slot !== null) {
      if (sameIds(slot.entry.ids, ids)) return { key, ids };
      probe += 1;
      continue;
    }
    const now = deps.clock.now();
    const entry: InboxEntry = { ids, events, receivedAt: now, attempts: 0, lastError: null, movedAsideAt: null };
    const cas = await deps.store.putDoc('inbox', key, 0, encodeJson(inboxFormat, entry), { now, dueAt: now + deps.graceMs, expiresAt: null });
    if (cas.ok) return { key, ids };
  }
  throw new ContentionError({ kind: 'inbox', key: base }, deps.maxAttempts);
};

/**
 * Deletes a processed delivery from the inbox. A slot already gone (another host
 * applied it) or holding another delivery is left as it is. A late retry of the
 * same delivery may be recorded again afterwards: applying it again is harmless.
 *
 * @example
 * await completeInbox(deps, ticket);
 */
export const completeInbox = async (deps: InboxDeps, ticket: InboxTicket): Promise<void> => {
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt += 1) {
    const slot = await readInbox(deps.store, ticket.key);
    if (slot === null || !sameIds(slot.entry.ids, ticket.ids)) return;
    if ((await deps.store.deleteDoc('inbox', ticket.key, slot.version)).ok) return;
  }
  throw new ContentionError({ kind: 'inbox', key: ticket.key }, deps.maxAttempts);
};

