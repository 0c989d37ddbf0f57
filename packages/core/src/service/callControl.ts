import { idProblem, isWellFormedText, metaIdLimits } from '../codecs/MetaId.js';
import type { Decision } from '../decide.js';
import type { DecisionReason } from '../machine/DecisionReason.js';
import type { PermissionEvent } from '../machine/PermissionEvent.js';
import type { AcceptedCall, GraphApi, GraphFailure } from '../ports/GraphApi.js';
import { err, ok, type Result } from '../result.js';
import type { HistorySource } from '../store/HistoryEntry.js';
import type { Instant, Thread } from '../thread.js';
import { asGraphFailure } from './asGraphFailure.js';
import { callRefusalOf } from './callRefusalOf.js';
import { commitSteps, type CommitDeps } from './commitSteps.js';
import { recordCallEvent, type CallTraceDeps } from './recordCallEvent.js';

/** The largest SDP offer `startCall` and `acceptCall` pass on (64 KiB; a real offer is a few kB). */
export const MAX_SDP_LENGTH = 65_536;

/** The host's side of the media session: an SDP offer (RFC 4566 text). */
export interface CallOffer {
  readonly sdp: string;
}

/** A call Meta placed: its id (its `calls` webhooks name it) and Meta's SDP answer. */
export interface StartedCall {
  readonly callId: string;
  /** Meta's SDP answer; null where it comes in the call's `connect` webhook instead (WhatsApp). */
  readonly sdpAnswer: string | null;
  /** The thread's decision once the call's slot was taken. */
  readonly decision: Decision;
}

/**
 * Why `startCall` placed no call.
 *
 * - a decision reason: callperm refused before any Graph call (no live permission,
 *   the connected-call quota, Meta's `start_call` denial, calling off for the Page);
 * - `invalid_offer`: the SDP is empty, too long, or not well-formed text; nothing was sent;
 * - `connect_refused`: Meta answered and did not place the call (`failure` says why;
 *   what it teaches is already in the record: no permission, the rate limit, the Page);
 * - `connect_ambiguous`: the outcome is unknown (a timeout, a 5xx): the call may be
 *   ringing, so its slot stays counted and the call is not retried.
 */
export type StartCallError =
  | { readonly reason: DecisionReason; readonly decision: Decision }
  | { readonly reason: 'invalid_offer'; readonly detail: string; readonly decision: Decision }
  | { readonly reason: 'connect_refused'; readonly failure: GraphFailure; readonly decision: Decision }
  | { readonly reason: 'connect_ambiguous'; readonly failure: GraphFailure; readonly decision: Decision };

/** Why `endCall`, `acceptCall` or `rejectCall` did not do what was asked. */
export type CallControlError =
  | { readonly reason: 'invalid_input'; readonly detail: string }
  | { readonly reason: 'graph_failure'; readonly failure: GraphFailure };

/** What the call operations need from the service. */
export interface CallControlDeps {
  readonly graph: GraphApi;
  readonly commit: CommitDeps;
  readonly traces: CallTraceDeps;
  /** The thread's decision with its Page's fact applied. */
  readonly status: (thread: Thread) => Promise<Decision>;
  /** The Page's calling fact when calling is off (checked again when due), else null. */
  readonly pageOff: (pageId: string) => Promise<unknown>;
  /** Meta said calling is off for the Page: store it. */
  readonly learnOff: (pageId: string, failure: GraphFailure) => Promise<void>;
  /** The decision with the Page's fact applied. */
  readonly withPage: (thread: Thread, d: Decision) => Decision | Promise<Decision>;
}

/** Why an SDP offer cannot be sent, or null. */
const offerProblem = (offer: CallOffer | undefined): string | null => {
  const sdp: unknown = offer?.sdp;
  if (typeof sdp !== 'string' || sdp.trim() === '') return 'the SDP offer is missing or empty';
  if (sdp.length > MAX_SDP_LENGTH) return `the SDP offer is longer than ${MAX_SDP_LENGTH} characters`;
  // SDP is lines of text (CRLF between them): no other control character, no lone surrogate.
  return isWellFormedText(sdp.replace(/\r?\n/g, ' ')) ? null : 'the SDP offer is not well-formed text';
};

/** Why a call id or Page id cannot be sent, or null. */
const idsProblem = (pageId: string, callId: string): string | null => {
  if (typeof pageId !== 'string' || pageId === '' || idProblem(pageId, metaIdLimits.person) !== null) return 'the Page id is empty, too long or malformed';
  if (typeof callId !== 'string' || callId === '' || idProblem(callId, metaIdLimits.object) !== null) return 'the call id is empty, too long or malformed';
  return null;
};

const tick = (now: Instant): PermissionEvent => ({ type: 'TICK', at: now });
const connectSource = (placedAt: Instant, callId: string | null): HistorySource => ({ kind: 'connect', placedAt, callId });

/**
 * The call operations: `startCall` decides and connects in one step, and feeds
 * what Meta answers back into the thread; `endCall`, `acceptCall` and
 * `rejectCall` pass the host's word on with the same care (ids checked, failures
 * typed, a Page Meta says may not call remembered).
 *
 * @example
 * const calls = createCallControl(deps);
 * const started = await calls.startCall(thread, { sdp });
 */
export const createCallControl = (deps: CallControlDeps) => {
  const { graph } = deps;

  /** Meta refused or failed the connect reserved at `placedAt`: give the slot back unless Meta may have placed it. */
  const connectFailed = async (thread: Thread, placedAt: Instant, failure: GraphFailure): Promise<StartCallError> => {
    const ambiguous = failure.processed !== 'no';
    if (failure.kind === 'calling_not_enabled' && !ambiguous) await deps.learnOff(thread.pageId, failure);
    if (ambiguous) return { reason: 'connect_ambiguous', failure, decision: await deps.status(thread) };
    const refusal = callRefusalOf(failure);
    const c = await commitSteps(deps.commit, thread, (now) => [{ type: 'CALL_FAILED', at: now, placedAt, refusal }], connectSource(placedAt, null));
    return { reason: 'connect_refused', failure, decision: await deps.withPage(thread, c.decision) };
  };

  const startCall = async (thread: Thread, offer: CallOffer): Promise<Result<StartedCall, StartCallError>> => {
    const problem = offerProblem(offer);
    if (problem !== null) return err({ reason: 'invalid_offer', detail: problem, decision: await deps.status(thread) });
    if ((await deps.pageOff(thread.pageId)) !== null) {
      const d = await deps.status(thread);
      return err({ reason: 'calling_not_enabled', decision: d });
    }
    const reserved = await commitSteps(deps.commit, thread, (now) => [tick(now), { type: 'CALL_START', at: now }], (e) => (
      e.type === 'CALL_START' ? connectSource(e.at, null) : { kind: 'host' }));
    const effect = reserved.effects.find((e) => e.type === 'connectCall');
    if (effect?.type !== 'connectCall') {
      const d = await deps.withPage(thread, reserved.decision);
      return err({ reason: d.callBlockedBy ?? 'no_permission', decision: d });
    }
    const { placedAt } = effect;
    const connected = await graph.connectCall(thread, offer.sdp).catch((e: unknown) => err(asGraphFailure(e)));
    if (!connected.ok) return err(await connectFailed(thread, placedAt, connected.error));
    const { callId, sdpAnswer } = connected.value;
    // The call's trace knows it was placed here, so its `connect` webhook does not count it again.
    await recordCallEvent(deps.traces, {
      kind: 'call', id: `start:${callId}`, at: placedAt, ...(thread.channel === 'whatsapp' ? { channel: thread.channel } : {}), pageId: thread.pageId, psid: thread.psid, callId,
      event: 'connect', direction: 'business_initiated', callStatus: null, terminateStatus: null, durationSec: null,
    });
    return ok({ callId, sdpAnswer, decision: await deps.withPage(thread, reserved.decision) });
  };

  /** Runs one call action after checking its ids; a Page Meta says may not call is remembered. */
  const control = async <T>(pageId: string, callId: string, act: () => Promise<Result<T, GraphFailure>>): Promise<Result<T, CallControlError>> => {
    const problem = idsProblem(pageId, callId);
    if (problem !== null) return err({ reason: 'invalid_input', detail: problem });
    const answer = await act().catch((e: unknown) => err(asGraphFailure(e)));
    if (answer.ok) return answer;
    if (answer.error.kind === 'calling_not_enabled' && answer.error.processed === 'no') await deps.learnOff(pageId, answer.error);
    return err({ reason: 'graph_failure', failure: answer.error });
  };

  const endCall = (pageId: string, callId: string): Promise<Result<null, CallControlError>> =>
    control(pageId, callId, () => graph.terminateCall(pageId, callId));

  const acceptCall = async (pageId: string, callId: string, offer: CallOffer): Promise<Result<AcceptedCall, CallControlError>> => {
    const problem = offerProblem(offer);
    if (problem !== null) return err({ reason: 'invalid_input', detail: problem });
    return control(pageId, callId, () => graph.acceptCall(pageId, callId, offer.sdp));
  };

  const rejectCall = (pageId: string, callId: string): Promise<Result<null, CallControlError>> =>
    control(pageId, callId, () => graph.rejectCall(pageId, callId));

  return { startCall, endCall, acceptCall, rejectCall };
};
