import * as t from 'io-ts';
import type { DecisionReason } from '../machine/DecisionReason.js';
import { lifecycleStates, type LifecycleState } from '../machine/LifecycleState.js';
import { permissionEventTypes, type PermissionEvent } from '../machine/PermissionEvent.js';
import type { Instant } from '../thread.js';
import type { JsonFormat } from './versionedJson.js';

/**
 * Where a consent step came from, so a business can show months later which
 * opt-in was answered, which check confirmed a grant, or which call implied one.
 *
 * - `webhook`: a delivered event (a reply, a message), by its dedupe id;
 *   `optInMessageId` is the opt-in that was awaiting an answer when a reply came.
 * - `opt_in`: the host's request: the slot reserved at `requestedAt`, and Meta's
 *   message id once the send succeeded (null before, or when it failed).
 * - `remote_check`: Meta's answer to a permission check, with its `fbtrace_id` when Meta gave one.
 * - `call`: a permission implied by a call (`cause`), by the call's id.
 * - `connect`: the host's `startCall`: the slot reserved at `placedAt`, and the
 *   call's id once Meta placed it (null before, or when Meta refused it).
 * - `host`: `apply` with events the host built, or time passing (an expiry).
 * - `operator`: a `reset` of a corrupt row.
 *
 * @example
 * const s: HistorySource = { kind: 'webhook', eventId: 'cpr:1:2:1700000000000', optInMessageId: 'm_1' };
 */
export type HistorySource =
  | { readonly kind: 'webhook'; readonly eventId: string; readonly optInMessageId: string | null }
  | { readonly kind: 'opt_in'; readonly requestedAt: Instant; readonly messageId: string | null }
  | { readonly kind: 'remote_check'; readonly fbtraceId: string | null }
  | { readonly kind: 'call'; readonly callId: string; readonly cause: 'connected_call' | 'missed_call' }
  | { readonly kind: 'connect'; readonly placedAt: Instant; readonly callId: string | null }
  | { readonly kind: 'host' }
  | { readonly kind: 'operator' };

/** What a history entry names as its event: a machine event, or an operator's `RESET`. */
export type HistoryEventType = PermissionEvent['type'] | 'RESET';

/**
 * One step of a thread's consent trail: every committed transition that changed
 * the permission (its state, expiry, provisional flag, the evidence behind it, or
 * the pending opt-in). A message that only moves the messaging window is not one.
 *
 * @example
 * const [last] = await permissions.history(thread, { limit: 1 });
 * last?.to; // 'approved'
 */
export interface HistoryEntry {
  /** When the event happened (its own instant, epoch ms). */
  readonly at: Instant;
  /** When the store committed it (the service's clock). */
  readonly recordedAt: Instant;
  /** The state before the step (null: unknown, for an operator's reset of a corrupt row). */
  readonly from: LifecycleState | null;
  readonly to: LifecycleState;
  readonly event: HistoryEventType;
  readonly source: HistorySource;
  /** When the permission ends after this step (null: none held, or no known expiry). */
  readonly expiresAt: Instant | null;
  /** The permission was inferred from a call and awaits a remote check. */
  readonly provisional: boolean;
  /** The decision's reason right after the step (null: a call may start). */
  readonly reason: DecisionReason | null;
}

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null]);
const keys = <K extends string>(ks: readonly K[]) => t.keyof(Object.fromEntries(ks.map((k) => [k, null])) as Record<K, null>);

const sourceCodec = t.union([
  t.readonly(t.type({ kind: t.literal('webhook'), eventId: t.string, optInMessageId: nullable(t.string) })),
  t.readonly(t.type({ kind: t.literal('opt_in'), requestedAt: t.number, messageId: nullable(t.string) })),
  t.readonly(t.type({ kind: t.literal('remote_check'), fbtraceId: nullable(t.string) })),
  t.readonly(t.type({ kind: t.literal('call'), callId: t.string, cause: keys(['connected_call', 'missed_call'] as const) })),
  t.readonly(t.type({ kind: t.literal('connect'), placedAt: t.number, callId: nullable(t.string) })),
  t.readonly(t.type({ kind: t.literal('host') })),
  t.readonly(t.type({ kind: t.literal('operator') })),
]);

/**
 * io-ts codec of {@link HistoryEntry}; a stored entry is checked when read back.
 * The decision reason is kept as text (a newer release may name reasons this one
 * does not know, and the trail must still read).
 *
 * @example
 * import { isRight } from 'fp-ts/lib/Either.js';
 * isRight(HistoryEntryCodec.decode(entry)); // true
 */
export const HistoryEntryCodec: t.Type<HistoryEntry, HistoryEntry, unknown> = t.readonly(t.type({
  at: t.number,
  recordedAt: t.number,
  from: nullable(keys(lifecycleStates)),
  to: keys(lifecycleStates),
  event: keys([...permissionEventTypes, 'RESET'] as const),
  source: sourceCodec,
  expiresAt: nullable(t.number),
  provisional: t.boolean,
  reason: nullable(t.string) as unknown as t.Type<DecisionReason | null, DecisionReason | null, unknown>,
}), 'HistoryEntry');

/**
 * The history entry's stored format (`v`, from 1). 2: the `connect` source and the
 * call events (`CALL_START`, `CALL_PLACED`, `CALL_FAILED`); a format-1 entry reads as it is.
 *
 * @example
 * encodeJson(historyFormat, entry); // '{"v":2,"at":...}'
 */
export const historyFormat: JsonFormat<HistoryEntry> = {
  name: 'history entry', field: 'v', version: 2, codec: HistoryEntryCodec, upgrades: [(v1) => ({ ...v1 })],
};
