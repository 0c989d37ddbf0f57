import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { GraphFailure, GraphFailureKind, MetaError, Result } from '@callperm/core';
import {
  AuthError, CallGoneError, CallingNotEnabledError, CallLimitError, classifyMetaError, graphApi, InvalidParameterError, NoCallPermissionError,
  PermissionError, ThrottledError, type GraphApiClient, type GraphError, type GraphOperation,
} from '@callperm/adapters/graph';
import { VirtualClock } from '@callperm/testing';
import { scriptedGraph, type ScriptedGraph } from './support/scriptedGraph.js';

const PAGE = '1001';
const thread = { pageId: PAGE, psid: '2002' };
const OFFER = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

let stub: ScriptedGraph;
beforeAll(async () => { stub = await scriptedGraph(); });
afterAll(async () => { await stub.close(); });
beforeEach(() => stub.reset());

type Method = 'connect' | 'accept' | 'terminate' | 'reject' | 'settings';
const run = (graph: GraphApiClient, method: Method): Promise<Result<unknown, GraphFailure>> => {
  switch (method) {
    case 'connect': return graph.connectCall(thread, OFFER);
    case 'accept': return graph.acceptCall(PAGE, 'c_in', OFFER);
    case 'terminate': return graph.terminateCall(PAGE, 'c_1');
    case 'reject': return graph.rejectCall(PAGE, 'c_in');
    case 'settings': return graph.checkCallSettings(PAGE);
  }
};

/** One of Meta's refusals, the call it comes off, and what callperm must make of it. */
interface Row {
  readonly what: string;
  readonly method: Method;
  readonly code: number;
  readonly subcode?: number;
  readonly message: string;
  readonly status?: number;
  readonly kind: GraphFailureKind;
  readonly cls: abstract new (...args: never[]) => GraphError;
}

const ROWS: readonly Row[] = [
  { what: '2018389 Page not allowlisted', method: 'connect', code: 2018389, message: 'Page is not allowlisted for calling', kind: 'calling_not_enabled', cls: CallingNotEnabledError },
  { what: '2018389 as a subcode', method: 'accept', code: 100, subcode: 2018389, message: 'Page is not allowlisted for calling', kind: 'calling_not_enabled', cls: CallingNotEnabledError },
  { what: '2018390 invalid call id', method: 'terminate', code: 2018390, message: 'Invalid call id', kind: 'call_gone', cls: CallGoneError },
  { what: '2018390 as a subcode of 100 (not a plain invalid parameter)', method: 'reject', code: 100, subcode: 2018390, message: 'Invalid call id', kind: 'call_gone', cls: CallGoneError },
  { what: '2018393 page not a member of the call', method: 'terminate', code: 2018393, message: 'Page is not a member of the call', kind: 'call_gone', cls: CallGoneError },
  { what: '2018395 cannot join failed call', method: 'accept', code: 2018395, message: 'Cannot join failed call', kind: 'call_gone', cls: CallGoneError },
  { what: '2018396 cannot join ended call', method: 'accept', code: 2018396, message: 'Cannot join ended call', kind: 'call_gone', cls: CallGoneError },
  { what: '"call already terminated" (code 100)', method: 'terminate', code: 100, message: 'Call already terminated', kind: 'call_gone', cls: CallGoneError },
  { what: '"cannot terminate failed call"', method: 'terminate', code: 100, message: '(#100) Cannot terminate failed call', kind: 'call_gone', cls: CallGoneError },
  { what: '"cannot terminate completed call" (code 10, not permission)', method: 'terminate', code: 10, message: 'cannot terminate completed call', kind: 'call_gone', cls: CallGoneError },
  { what: '2018391 invalid connection parameter', method: 'connect', code: 2018391, message: 'Invalid connection parameter', kind: 'invalid', cls: InvalidParameterError },
  { what: '2018392 invalid SDP', method: 'connect', code: 2018392, message: 'Invalid SDP', kind: 'invalid', cls: InvalidParameterError },
  { what: '2018392 invalid SDP on accept, as a subcode', method: 'accept', code: 100, subcode: 2018392, message: 'Invalid SDP', kind: 'invalid', cls: InvalidParameterError },
  { what: '2018394 insufficient permissions to join call', method: 'accept', code: 2018394, message: 'Insufficient permissions to join call', kind: 'permission', cls: PermissionError },
  { what: '"has not given permission to call" (code 10, not permission)', method: 'connect', code: 10, message: 'Consumer has not given permission to call', kind: 'no_call_permission', cls: NoCallPermissionError },
  { what: '"has not given permission to call" (code 100, lower case)', method: 'connect', code: 100, message: '(#100) the consumer has not given permission to call this business', kind: 'no_call_permission', cls: NoCallPermissionError },
  { what: '"has not given permission to call" (an unpublished code)', method: 'connect', code: 2018397, message: 'CONSUMER HAS NOT GIVEN PERMISSION TO CALL', kind: 'no_call_permission', cls: NoCallPermissionError },
  { what: '"call rate limit" (code "TBD": unknown)', method: 'connect', code: 2018398, message: 'Call rate limit exceeded', kind: 'call_limit', cls: CallLimitError },
  { what: '"call rate limit" with a throttling code (4)', method: 'connect', code: 4, message: '(#4) Call rate limit exceeded', kind: 'call_limit', cls: CallLimitError },
  { what: '"call rate limit" with 613 and HTTP 429', method: 'connect', code: 613, status: 429, message: 'call rate limit reached for this business', kind: 'call_limit', cls: CallLimitError },
  { what: '"Audio calling is not enabled" (code 10)', method: 'connect', code: 10, message: 'Audio calling is not enabled', kind: 'calling_not_enabled', cls: CallingNotEnabledError },
  { what: '"Not allowed for business-initiated calling" (code 10)', method: 'connect', code: 10, message: '(#10) Not allowed for business-initiated calling', kind: 'calling_not_enabled', cls: CallingNotEnabledError },
  { what: '"Call Settings Not Enabled" (code 100)', method: 'accept', code: 100, message: 'Call Settings Not Enabled', kind: 'calling_not_enabled', cls: CallingNotEnabledError },
  { what: '"Call Settings Not Enabled" on the settings read', method: 'settings', code: 100, message: 'Call Settings Not Enabled', kind: 'calling_not_enabled', cls: CallingNotEnabledError },
  { what: 'app throttling (4) stays throttling', method: 'connect', code: 4, message: '(#4) Application request limit reached', kind: 'throttled', cls: ThrottledError },
  { what: 'user throttling (17) stays throttling', method: 'accept', code: 17, message: '(#17) User request limit reached', kind: 'throttled', cls: ThrottledError },
  { what: 'Page throttling (32) stays throttling', method: 'terminate', code: 32, message: '(#32) Page request limit reached', kind: 'throttled', cls: ThrottledError },
  { what: '613 off the opt-in stays throttling', method: 'connect', code: 613, message: '(#613) Calls to this api have exceeded the rate limit.', kind: 'throttled', cls: ThrottledError },
  { what: 'Pages BUC (80001) stays throttling', method: 'reject', code: 80001, message: '(#80001) There have been too many calls to this Page account.', kind: 'throttled', cls: ThrottledError },
  { what: 'Messenger BUC (80006) stays throttling', method: 'connect', code: 80006, message: '(#80006) There have been too many messenger api calls to this Page.', kind: 'throttled', cls: ThrottledError },
  { what: 'a throttle saying "permission to call" stays throttling', method: 'connect', code: 80006, message: 'Consumer has not given permission to call', kind: 'throttled', cls: ThrottledError },
  { what: '190 stays auth', method: 'connect', code: 190, message: 'Invalid OAuth access token', kind: 'auth', cls: AuthError },
  { what: '10 without calling words stays permission', method: 'connect', code: 10, message: '(#10) Application does not have permission for this action', kind: 'permission', cls: PermissionError },
  { what: '2018390 off the settings read is a bad parameter, not a gone call', method: 'settings', code: 2018390, message: 'Invalid call id', kind: 'invalid', cls: InvalidParameterError },
];

describe('Meta\'s calling refusals over real HTTP, one row each', () => {
  for (const row of ROWS) {
    it(`${row.method}: ${row.what} -> ${row.kind}`, async () => {
      const error = { message: row.message, type: 'OAuthException', code: row.code, ...(row.subcode === undefined ? {} : { error_subcode: row.subcode }), fbtrace_id: 'AcallTrace' };
      stub.answer(() => ({ status: row.status ?? 400, body: { error } }));
      const graph = graphApi({ accessToken: 'token', baseUrl: stub.url, clock: new VirtualClock(0), retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 5 } });
      try {
        const r = await run(graph, row.method);
        expect(r.ok ? null : r.error).toBeInstanceOf(row.cls);
        expect(r.ok ? null : [r.error.kind, r.error.code, r.error.subcode, r.error.processed]).toEqual([row.kind, row.code, row.subcode, 'no']);
        // None of these passes within seconds: each is handed back after one request.
        expect(stub.requests).toHaveLength(1);
      } finally {
        graph.close();
      }
    });
  }

  it('every new failure kind has a row, and its error class', () => {
    expect(new Set(ROWS.map((r) => r.kind))).toEqual(new Set(['calling_not_enabled', 'call_gone', 'invalid', 'permission', 'no_call_permission', 'call_limit', 'throttled', 'auth']));
  });
});

const CALL_ACTIONS = ['call_connect', 'call_accept', 'call_terminate', 'call_reject'] as const;
const CALL_OPERATIONS: readonly GraphOperation[] = [...CALL_ACTIONS, 'call_settings'];
const OTHER_OPERATIONS: readonly GraphOperation[] = ['check', 'opt_in', 'page_status', 'batch'];
const THROTTLE_CODES = [4, 17, 32, 341, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009];

/** Codes Meta uses (calling ones included), and any other. */
const code = fc.oneof(
  fc.constantFrom(1, 2, 3, 4, 9, 10, 17, 32, 100, 102, 104, 190, 200, 230, 341, 368, 551, 613, 2500, 80001, 80006, 2018389, 2018390, 2018391, 2018392, 2018393, 2018394, 2018395, 2018396),
  fc.integer({ min: 0, max: 9_999_999 }),
);
const subcode = fc.option(fc.oneof(fc.constantFrom(33, 2018001, 2018108, 2018278, 2018352, 1545041, 2018389, 2018390, 2018394), fc.integer({ min: 0, max: 9_999_999 })), { nil: undefined });
const httpStatus = fc.option(fc.constantFrom(400, 403, 404, 429, 500, 503), { nil: undefined });
/** Words near the calling texts, so messages come close to them without saying them. */
const word = fc.constantFrom(
  'permission', 'call', 'calling', 'has', 'not', 'given', 'to', 'rate', 'limit', 'consumer', 'Call', 'terminated', 'already', 'audio', 'enabled',
  'has given permission', 'granted', 'call-rate', 'limit exceeded', 'is', 'the', '(#10)', 'Calls to this api have exceeded the rate limit.',
);
const message = fc.oneof(fc.string({ maxLength: 60 }), fc.array(word, { maxLength: 8 }).map((w) => w.join(' ')));
const metaError = fc.record({ message, code, subcode, isTransient: fc.option(fc.boolean(), { nil: undefined }) })
  .map(({ subcode: s, isTransient, ...rest }): MetaError => ({ ...rest, ...(s === undefined ? {} : { subcode: s }), ...(isTransient === undefined ? {} : { isTransient }) }));
/** Any casing of a phrase. */
const anyCase = (phrase: string) => fc.array(fc.boolean(), { minLength: phrase.length, maxLength: phrase.length })
  .map((up) => [...phrase].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

const isThrottle = (e: MetaError, status: number | undefined) =>
  THROTTLE_CODES.includes(e.code) || status === 429 || e.code === 368 || (e.code === 9 && e.subcode === 2018352);

describe('classifyMetaError for the call operations', () => {
  test.prop([metaError, fc.constantFrom(...CALL_OPERATIONS), httpStatus])(
    'never says no_call_permission unless the message speaks of permission, nor call_limit unless it speaks of a rate limit',
    (e, operation, status) => {
      const kind = classifyMetaError(e, operation, status);
      if (!/permission/i.test(e.message)) expect(kind).not.toBe('no_call_permission');
      if (!/rate/i.test(e.message) || !/limit/i.test(e.message)) expect(kind).not.toBe('call_limit');
    },
  );

  test.prop([metaError, fc.constantFrom(...OTHER_OPERATIONS), httpStatus])(
    'the other operations never give a call kind, whatever the words',
    (e, operation, status) => {
      expect(['no_call_permission', 'call_limit', 'call_gone']).not.toContain(classifyMetaError(e, operation, status));
    },
  );

  test.prop([metaError, message, anyCase('has not given permission to call'), fc.constantFrom(...CALL_ACTIONS), httpStatus])(
    'a call action refused with "has not given permission to call", in any casing and whatever the code, is no_call_permission unless it is throttling',
    (e, prefix, phrase, operation, status) => {
      const said = { ...e, message: `${prefix} Consumer ${phrase} ${e.message}` };
      const kind = classifyMetaError(said, operation, status);
      if (/call rate limit/i.test(said.message)) expect(kind).toBe('call_limit');
      else if (isThrottle(said, status)) expect(kind).toBe('throttled');
      else expect(kind).toBe('no_call_permission');
    },
  );

  test.prop([metaError, message, anyCase('call rate limit'), fc.constantFrom(...CALL_ACTIONS), httpStatus])(
    'a call action refused with "call rate limit", in any casing, is call_limit whatever the code, throttling codes included',
    (e, prefix, phrase, operation, status) => {
      expect(classifyMetaError({ ...e, message: `${prefix} ${phrase} exceeded ${e.message}` }, operation, status)).toBe('call_limit');
    },
  );

  /** A throttling answer: a throttling code, 368, 9/2018352, or any code with HTTP 429. */
  const throttling: fc.Arbitrary<{ e: MetaError; status: number | undefined }> = fc.oneof(
    fc.tuple(metaError, fc.constantFrom(...THROTTLE_CODES, 368), httpStatus).map(([e, c, status]) => ({ e: { ...e, code: c }, status })),
    metaError.map((e) => ({ e: { ...e, code: 9, subcode: 2018352 }, status: 400 })),
    metaError.map((e) => ({ e, status: 429 })),
  );
  test.prop([throttling, fc.constantFrom(...CALL_OPERATIONS)])(
    'throttling stays throttled unless the words say call rate limit',
    ({ e, status }, operation) => {
      const kind = classifyMetaError(e, operation, status);
      expect(kind).toBe(/call rate limit/i.test(e.message) && operation !== 'call_settings' ? 'call_limit' : 'throttled');
    },
  );

  it('the same refusal off a check is not a call kind', () => {
    expect(classifyMetaError({ message: 'Consumer has not given permission to call', code: 10 }, 'check')).toBe('permission');
    expect(classifyMetaError({ message: 'Call rate limit exceeded', code: 4 }, 'opt_in')).toBe('throttled');
    expect(classifyMetaError({ message: 'Invalid call id', code: 2018390 }, 'check')).toBe('invalid');
  });
});
