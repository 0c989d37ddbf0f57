import { fc } from '@fast-check/vitest';
import { fakeMetaErrors, type FakeFault, type MetaErrorBody } from '@callperm/testing';
import type { SendOutcome } from './referenceModel.js';

/**
 * One Graph failure class, as the fake Meta injects it into one request, and what
 * the client can tell from it (facts §6; the throttling codes of every scope).
 */
export interface GraphFault {
  /** The class, for the tally and the counterexample. */
  readonly name: string;
  readonly fault: FakeFault;
  /** What an opt-in send meeting it ends as (a check meeting any of them simply fails). */
  readonly send: SendOutcome;
  /** Whether Meta did the work before failing (an opt-in then counts at Meta). */
  readonly processed: boolean;
  /** Meta said calling is off for the Page: the service then holds every thread of the Page until a recheck says it is on. */
  readonly pageOff?: boolean;
}

const throttleBody = (code: 4 | 17 | 32 | 80001 | 80006): MetaErrorBody => ({
  error: { message: `(#${code}) Too many calls. Wait and try again.`, type: 'OAuthException', code, fbtrace_id: 'AmodelThrottle' },
});

const refused = (teaches: 'outside_window' | 'request_limit' | 'person_unavailable' | null): SendOutcome => ({ kind: 'refused', teaches });
const AMBIGUOUS: SendOutcome = { kind: 'ambiguous' };

/** Throttled at the app (4), user (17), Page (32, 80001) or business (80006) scope: nothing was done. */
const throttled = fc.constantFrom(4, 17, 32, 80001, 80006).map((code): GraphFault => ({
  name: `throttled_${code}`, fault: { kind: 'error', body: throttleBody(code as 4) }, send: refused(null), processed: false,
}));

/**
 * Faults whose outcome the client cannot tell: a 5xx or a dropped connection, before or after Meta did the work.
 * (A hang needs a real client timeout, wall time this suite does not spend: the reliability suites cover it.)
 */
const unknownOutcome = fc.record({ kind: fc.constantFrom('status' as const, 'reset' as const), after: fc.boolean() }).map(({ kind, after }): GraphFault => ({
  name: `${kind}${after ? '_after' : ''}`,
  fault: kind === 'status' ? { kind, status: 503, after } : { kind, after },
  send: AMBIGUOUS, processed: after,
}));

const metaError = (name: string, body: MetaErrorBody, send: SendOutcome): GraphFault => ({ name, fault: { kind: 'error', body }, send, processed: false });
/** "Not allowed for business-initiated calling" (facts §1.4): the Page, not the thread. */
const callingOff: GraphFault = { ...metaError('calling_not_enabled', fakeMetaErrors.callingNotEnabled, refused(null)), pageOff: true };

/** Every failure class of an opt-in send. */
export const sendFault: fc.Arbitrary<GraphFault> = fc.oneof(
  throttled,
  { weight: 4, arbitrary: unknownOutcome },
  fc.constant(metaError('outside_window', fakeMetaErrors.outsideWindow, refused('outside_window'))),
  fc.constant(metaError('request_limit', fakeMetaErrors.optInQuota, refused('request_limit'))),
  fc.constant(metaError('person_unavailable', fakeMetaErrors.personUnavailable, refused('person_unavailable'))),
  fc.constant(metaError('auth', fakeMetaErrors.invalidToken, refused(null))),
  fc.constant(metaError('invalid', fakeMetaErrors.invalidParameter, refused(null))),
  fc.constant(metaError('permission', fakeMetaErrors.permissionDenied, refused(null))),
  fc.constant(callingOff),
);

/** Every failure class of a permission check (a check changes nothing when it fails). */
export const checkFault: fc.Arbitrary<GraphFault> = fc.oneof(
  throttled,
  unknownOutcome,
  fc.constant(metaError('auth', fakeMetaErrors.invalidToken, refused(null))),
  fc.constant(metaError('invalid', fakeMetaErrors.invalidParameter, refused(null))),
  fc.constant<GraphFault>({ name: 'malformed', fault: { kind: 'malformed' }, send: AMBIGUOUS, processed: false }),
  fc.constant(metaError('service_unavailable', fakeMetaErrors.serviceUnavailable, refused(null))),
  fc.constant(callingOff),
);

/** A fault for a command three times in ten, else none. */
export const maybe = (arb: fc.Arbitrary<GraphFault>): fc.Arbitrary<GraphFault | null> =>
  fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: arb });
