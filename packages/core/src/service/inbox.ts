import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Clock } from '../ports/Clock.js';
import { CorruptRecordError, type PermissionStore, type Versioned } from '../ports/PermissionStore.js';
import type { Thread } from '../thread.js';
import type { WebhookEvent } from '../webhookEvent.js';
import { ContentionError } from './commitSteps.js';
import { packSideRecord, sideThread, unpackSideRecord } from './sideRecord.js';
import { WebhookEventCodec } from './WebhookEventCodec.js';

/** A delivery recorded in the inbox: hand it back to `inbox.done` once its events are applied. */
export interface InboxTicket {
  /** The inbox slot (a synthetic thread's PSID). */
  readonly key: string;
}

/** One inbox slot: the events of a delivery, by id, and whether they have been applied. */
export interface InboxEntry {
  readonly ids: readonly string[];
  /** The events still to apply; emptied once `done`. */
  readonly events: readonly WebhookEvent[];
  readonly receivedAt: number;
  readonly done: boolean;
}

const InboxEntryCodec: t.Type<InboxEntry, InboxEntry, unknown> = t.readonly(t.type({
  ids: t.readonlyArray(t.string),
  events: t.readonlyArray(WebhookEventCodec),
  receivedAt: t.number,
  done: t.boolean,
}));

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
 * Reads an inbox slot, or null when it is empty. A slot that does not decode is a `CorruptRecordError`.
 *
 * @example
 * const slot = await readInbox(store, { pageId: '~callperm/inbox', psid: key });
 */
export const readInbox = async (store: PermissionStore, thread: Thread): Promise<{ entry: InboxEntry; stored: Versioned } | null> => {
  const stored = await store.get(thread);
  if (stored === null) return null;
  const decoded = InboxEntryCodec.decode(unpackSideRecord(stored.record)?.data);
  if (!isRight(decoded)) throw new CorruptRecordError(thread, 'the inbox entry does not match the schema');
  return { entry: decoded.right, stored };
};

/**
 * Records a delivery's events durably, for processing later (by the host that
 * received it, or by any host's `sweep` once `graceMs` has passed). Resolves once
 * the store has them. Recording the same events again finds the same slot, so a
 * retried delivery occupies one slot; different events that hash alike take the next.
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
    const thread = sideThread('inbox', key);
    const slot = await readInbox(deps.store, thread);
    if (slot !== null) {
      if (sameIds(slot.entry.ids, ids)) return { key };
      probe += 1;
      continue;
    }
    const now = deps.clock.now();
    const entry: InboxEntry = { ids, events, receivedAt: now, done: false };
    const cas = await deps.store.compareAndSet(thread, 0, packSideRecord('inbox', entry, now, now + deps.graceMs));
    if (cas.ok) return { key };
  }
  throw new ContentionError(sideThread('inbox', base), deps.maxAttempts);
};

/**
 * Marks an inbox slot processed: its events are dropped (the ids stay, so a late
 * retry of the same delivery is recognised) and it no longer falls due.
 *
 * @example
 * await completeInbox(deps, ticket);
 */
export const completeInbox = async (deps: InboxDeps, ticket: InboxTicket): Promise<void> => {
  const thread = sideThread('inbox', ticket.key);
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt += 1) {
    const slot = await readInbox(deps.store, thread);
    if (slot === null || slot.entry.done) return;
    const entry: InboxEntry = { ...slot.entry, events: [], done: true };
    const cas = await deps.store.compareAndSet(thread, slot.stored.version, packSideRecord('inbox', entry, deps.clock.now(), null));
    if (cas.ok) return;
  }
  throw new ContentionError(thread, deps.maxAttempts);
};
