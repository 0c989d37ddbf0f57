/**
 * The baseline webhook pipeline: the same steps as the product (HMAC-SHA256 over
 * the raw bytes in constant time, UTF-8 + JSON.parse, the same io-ts decoder,
 * dedupe of event ids, a step per event, persist with a version) written directly
 * against a raw driver with the hand-written reducer: no service, no ports, no
 * receiver core. The drivers (memory Map, SQLite, Redis, PostgreSQL) implement
 * `RawBatch` with the store's native calls.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  admissionDefaults, admitEvents, decisionReason, emptyRecord, messengerPolicy, parseWebhook, resolvePolicy, toPermissionEvent,
  type AdmissionLimits, type Instant, type PermissionEvent, type PermissionRecord, type Thread,
} from '../../packages/core/src/internals.js';
import { APP_SECRET, type Delivery } from '../workload/deliveries.js';
import { handStep } from './handReducer.js';

const policy = resolvePolicy(messengerPolicy);
/** The workload's events are dated about 30 days before the bench clock: both sides admit 60 days back. */
export const benchAdmission: AdmissionLimits = { ...admissionDefaults, horizonMs: 60 * 86_400_000 };
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** One decoded event of a delivery, with where it goes. */
export interface RawEvent {
  readonly id: string;
  readonly thread: Thread;
  readonly event: PermissionEvent;
}

/** What a raw driver does with one delivery's events: dedupe, load, step (with `stepEvent`), persist. */
export interface RawDriver {
  apply(events: readonly RawEvent[], now: Instant, until: Instant): Promise<void>;
  close(): Promise<void>;
}

/** What one event did: the record after it, whether it changed, and the history entry it appends (JSON text), if any. */
export interface SteppedEvent {
  readonly record: PermissionRecord;
  readonly changed: boolean;
  /** The consent-history entry of a step that changed the permission (not only the messaging window), else null. */
  readonly entry: { readonly at: Instant; readonly text: string } | null;
}

/**
 * Steps one webhook event with the hand reducer and, when the step changed the
 * permission, builds its consent-history entry as the product does (the same
 * fields, the decision's reason after the step, JSON text with its format
 * version): the baseline's share of the history work, one append per transition.
 *
 * @example
 * const s = stepEvent(record, e, now); if (s.entry) history.push(s.entry);
 */
export const stepEvent = (record: PermissionRecord | null, e: RawEvent, now: Instant): SteppedEvent => {
  const before = record ?? emptyRecord();
  const s = handStep(before, e.event, policy);
  if (!s.changed) return { record: before, changed: false, entry: null };
  const after = s.record;
  const consent = before.state !== after.state || before.expiresAt !== after.expiresAt || before.provisional !== after.provisional
    || before.evidence !== after.evidence || before.pending !== after.pending;
  if (!consent) return { record: after, changed: true, entry: null };
  const reply = e.event.type === 'REPLY_APPROVE' || e.event.type === 'REPLY_REJECT';
  const text = JSON.stringify({
    v: 1, at: e.event.at, recordedAt: now, from: before.state, to: after.state, event: e.event.type,
    source: { kind: 'webhook', eventId: e.id, optInMessageId: reply ? before.pending?.messageId ?? null : null },
    expiresAt: after.expiresAt, provisional: after.provisional, reason: decisionReason(after, now, policy),
  });
  return { record: after, changed: true, entry: { at: e.event.at, text } };
};

const verify = (body: Uint8Array, header: string): boolean => {
  const given = Buffer.from(header.slice(7), 'hex');
  const expected = createHmac('sha256', APP_SECRET).update(body).digest();
  return expected.length === given.length && timingSafeEqual(expected, given);
};

/**
 * The hand pipeline over a raw driver.
 *
 * @example
 * const p = handPipeline(memoryDriver(), clock); await p.handle(delivery);
 */
export const handPipeline = (driver: RawDriver, clock: { now(): Instant }) => ({
  async handle(d: Delivery): Promise<void> {
    if (!verify(d.body, d.signature)) throw new Error('bad signature');
    const parsed = parseWebhook(JSON.parse(utf8.decode(d.body)));
    if (!parsed.ok) throw new Error('not a page webhook');
    const now = clock.now();
    // The same screening as the product's ingest (ids, plausible instants, caps per delivery).
    const { accepted } = admitEvents(parsed.value, { now, limits: benchAdmission });
    const events: RawEvent[] = [];
    for (const w of accepted) {
      const m = toPermissionEvent(w);
      if (m !== null) events.push({ id: w.id, thread: m.thread, event: m.event });
    }
    await driver.apply(events, now, now + policy.dedupeTtlMs);
  },
  close: () => driver.close(),
});
