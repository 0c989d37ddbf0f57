import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { GraphFailureKind } from '@callperm/core';
import {
  CallingNotEnabledError, CallLimitError, classifyMetaError, InvalidParameterError, NoCallPermissionError, OutsideWindowError, PersonUnavailableError,
  RequestLimitError, ThrottledError, toGraphError, TransientError, type GraphError, type GraphOperation,
} from '@callperm/adapters/graph';

/** One WhatsApp calling refusal (facts §6.4), the operation it comes off, the HTTP status Meta documents, and what it means. */
interface Row {
  readonly code: number;
  readonly message: string;
  readonly operation: GraphOperation;
  readonly status: number;
  readonly kind: GraphFailureKind;
  readonly cls: abstract new (...args: never[]) => GraphError;
}

const ROWS: readonly Row[] = [
  { code: 138006, message: 'No approved call permission from the recipient', operation: 'call_connect', status: 401, kind: 'no_call_permission', cls: NoCallPermissionError },
  { code: 138009, message: 'Call permission request limit reached', operation: 'opt_in', status: 400, kind: 'request_limit', cls: RequestLimitError },
  { code: 138012, message: 'Business initiated calls limit reached', operation: 'call_connect', status: 400, kind: 'call_limit', cls: CallLimitError },
  { code: 138005, message: 'Calls limit exceeded for this business number', operation: 'call_connect', status: 429, kind: 'call_limit', cls: CallLimitError },
  { code: 138000, message: 'Calling not enabled', operation: 'call_connect', status: 401, kind: 'calling_not_enabled', cls: CallingNotEnabledError },
  { code: 138013, message: 'Business initiated calling not available', operation: 'call_connect', status: 400, kind: 'calling_not_enabled', cls: CallingNotEnabledError },
  { code: 138014, message: 'Calling temporarily disabled', operation: 'call_connect', status: 400, kind: 'calling_not_enabled', cls: CallingNotEnabledError },
  { code: 138015, message: 'Calling cannot be enabled', operation: 'call_settings', status: 400, kind: 'calling_not_enabled', cls: CallingNotEnabledError },
  { code: 138018, message: 'Technical prerequisites not met', operation: 'call_accept', status: 400, kind: 'calling_not_enabled', cls: CallingNotEnabledError },
  { code: 138001, message: 'Receiver is uncallable', operation: 'call_connect', status: 400, kind: 'person_unavailable', cls: PersonUnavailableError },
  { code: 138017, message: 'Permanent call permission already exists', operation: 'opt_in', status: 400, kind: 'invalid', cls: InvalidParameterError },
  { code: 131047, message: 'Re-engagement message: more than 24 hours since the customer last replied', operation: 'opt_in', status: 400, kind: 'outside_window', cls: OutsideWindowError },
  { code: 138003, message: 'Duplicate call', operation: 'call_connect', status: 400, kind: 'invalid', cls: InvalidParameterError },
  { code: 138002, message: 'Concurrent calls limit reached', operation: 'call_connect', status: 429, kind: 'throttled', cls: ThrottledError },
  { code: 138004, message: 'Connection error', operation: 'call_connect', status: 500, kind: 'transient', cls: TransientError },
  { code: 138007, message: 'Connect timeout', operation: 'call_accept', status: 500, kind: 'transient', cls: TransientError },
];

describe('WhatsApp calling codes (138000 range), one row each', () => {
  for (const row of ROWS) {
    it(`${row.operation}: ${row.code} ${row.message} (HTTP ${row.status}) -> ${row.kind}`, () => {
      const error = { message: row.message, type: 'OAuthException', code: row.code, fbtraceId: 'AwaTrace' };
      expect(classifyMetaError(error, row.operation, row.status)).toBe(row.kind);
      // The same without the HTTP status (a batch item, a client that lost it).
      expect(classifyMetaError(error, row.operation)).toBe(row.kind);
      const e = toGraphError({ from: 'meta', error, operation: row.operation, httpStatus: row.status });
      expect(e).toBeInstanceOf(row.cls);
      expect([e.kind, e.code]).toEqual([row.kind, row.code]);
    });
  }

  it('every code the brief lists has a row', () => {
    expect(ROWS.map((r) => r.code).sort()).toEqual(
      [131047, 138000, 138001, 138002, 138003, 138004, 138005, 138006, 138007, 138009, 138012, 138013, 138014, 138015, 138017, 138018],
    );
  });

  it('138006 is no token problem whatever HTTP 401 it comes with, and the request limit holds off the opt-in too', () => {
    expect(classifyMetaError({ message: 'x', code: 138006 }, 'call_connect', 401)).toBe('no_call_permission');
    expect(classifyMetaError({ message: 'x', code: 138009 }, 'batch', 400)).toBe('request_limit');
  });

  it('the call kinds stay on call actions: off one, 138005 (HTTP 429) is throttling and 138006 or 138012 no call kind', () => {
    expect(classifyMetaError({ message: 'Calls limit exceeded', code: 138005 }, 'check', 429)).toBe('throttled');
    expect(classifyMetaError({ message: 'No approved call permission', code: 138006 }, 'check', 401)).toBe('unknown');
    expect(classifyMetaError({ message: 'limit', code: 138012 }, 'call_settings', 400)).toBe('unknown');
  });

  it('the words Messenger documents still win on a call action ("call rate limit")', () => {
    expect(classifyMetaError({ message: 'Call rate limit exceeded', code: 138003 }, 'call_connect')).toBe('call_limit');
  });

  test.prop([fc.constantFrom<GraphOperation>('check', 'opt_in', 'page_status', 'batch'), fc.constantFrom(...ROWS.map((r) => r.code)), fc.option(fc.constantFrom(400, 401, 429, 500), { nil: undefined })])(
    'off a call action no WhatsApp code gives a call kind',
    (operation, code, status) => {
      expect(['no_call_permission', 'call_limit', 'call_gone']).not.toContain(classifyMetaError({ message: 'refused', code }, operation, status));
    },
  );
});
