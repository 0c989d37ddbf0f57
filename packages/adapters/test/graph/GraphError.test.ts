import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseGraphError } from '@callperm/core';
import {
  AuthError, CallGoneError, CallingNotEnabledError, CallLimitError, GraphError, InvalidParameterError, NoCallPermissionError, OutsideWindowError,
  PermissionError, PersonUnavailableError, RequestLimitError, ThrottledError, toGraphError, TransientError, UnknownGraphError, type GraphOperation,
} from '@callperm/adapters/graph';
import fixtures from './fixtures/metaErrorBodies.json' with { type: 'json' };

const CLASSES = {
  ThrottledError, RequestLimitError, AuthError, PermissionError, OutsideWindowError, PersonUnavailableError, InvalidParameterError,
  CallingNotEnabledError, NoCallPermissionError, CallLimitError, CallGoneError, TransientError, UnknownGraphError,
} as const;

interface Fixture {
  readonly expect: keyof typeof CLASSES;
  readonly httpStatus: number;
  /** The call that failed; a check when not said. */
  readonly operation?: GraphOperation;
  readonly source: string;
  readonly body: { readonly error: { readonly code: number; readonly error_subcode?: number } };
}

const fromBody = (f: Fixture): GraphError => {
  const meta = parseGraphError(f.body);
  if (!meta.ok) throw new Error(`fixture does not decode: ${f.source}`);
  return toGraphError({ from: 'meta', error: meta.value, operation: f.operation ?? 'check', httpStatus: f.httpStatus });
};

describe('toGraphError maps Meta error bodies to classes', () => {
  it('has a fixture for every class', () => {
    expect(new Set((fixtures as Fixture[]).map((f) => f.expect))).toEqual(new Set(Object.keys(CLASSES)));
  });

  for (const f of fixtures as Fixture[]) {
    it(`${f.source} -> ${f.expect}`, () => {
      const e = fromBody(f);
      expect(e).toBeInstanceOf(CLASSES[f.expect]);
      expect(e).toBeInstanceOf(GraphError);
      expect(e.code).toBe(f.body.error.code);
      expect(e.subcode).toBe(f.body.error.error_subcode);
      expect(e.httpStatus).toBe(f.httpStatus);
      expect(e.fbtraceId).toMatch(/^AaB1/);
      // Meta answered: only its own 5xx leaves open whether it acted.
      expect(e.processed).toBe(f.httpStatus >= 500 ? 'unknown' : 'no');
    });
  }

  it('HTTP 429 is throttling whatever the code', () => {
    const e = toGraphError({ from: 'meta', operation: 'check', error: { message: 'slow down', code: 99999 }, httpStatus: 429 });
    expect(e).toBeInstanceOf(ThrottledError);
  });

  it('carries the regain time on throttling errors only', () => {
    const t = toGraphError({ from: 'meta', operation: 'check', error: { message: 'x', code: 80006 }, httpStatus: 400, retryAfterMs: 60_000 });
    const p = toGraphError({ from: 'meta', operation: 'check', error: { message: 'x', code: 10 }, httpStatus: 400, retryAfterMs: 60_000 });
    expect([t.retryAfterMs, p.retryAfterMs]).toEqual([60_000, undefined]);
  });

  it('is_transient makes an unlisted code transient', () => {
    expect(toGraphError({ from: 'meta', operation: 'check', error: { message: 'x', code: 5555, isTransient: true }, httpStatus: 400 })).toBeInstanceOf(TransientError);
  });
});

describe('toGraphError for everything that is not a Meta error body', () => {
  const transport = (props: Record<string, string>) => toGraphError({ from: 'transport', error: Object.assign(new Error('boom'), props) });

  it('a refused connection proves nothing was sent', () => {
    const e = transport({ code: 'ECONNREFUSED' });
    expect([e.constructor, e.processed, e.transportCode]).toEqual([TransientError, 'no', 'ECONNREFUSED']);
  });

  it('a reset or a hang-up leaves it open', () => {
    expect(transport({ code: 'ECONNRESET' }).processed).toBe('unknown');
    expect(transport({ code: 'EPIPE' }).processed).toBe('unknown');
  });

  it('a timeout before connecting proves nothing was sent; a later one does not', () => {
    expect(transport({ name: 'TimeoutError', code: 'ETIMEDOUT', event: 'connect' }).processed).toBe('no');
    expect(transport({ name: 'TimeoutError', code: 'ETIMEDOUT', event: 'response' }).processed).toBe('unknown');
    expect(transport({ name: 'TimeoutError', code: 'ETIMEDOUT', event: 'request' }).processed).toBe('unknown');
  });

  it('a token a header cannot carry is an auth failure, not sent', () => {
    const e = transport({ code: 'ERR_INVALID_CHAR' });
    expect([e.constructor, e.processed]).toEqual([AuthError, 'no']);
  });

  it('an unreadable answer: 5xx HTML is transient and ambiguous, a 2xx of the wrong shape is unknown and ambiguous', () => {
    const html = toGraphError({ from: 'response', httpStatus: 502, problem: 'malformed_json' });
    const shape = toGraphError({ from: 'response', httpStatus: 200, problem: 'unexpected_shape' });
    const tooMany = toGraphError({ from: 'response', httpStatus: 429, problem: 'malformed_json', retryAfterMs: 1000 });
    expect([html.constructor, html.processed]).toEqual([TransientError, 'unknown']);
    expect([shape.constructor, shape.processed]).toEqual([UnknownGraphError, 'unknown']);
    expect([tooMany.constructor, tooMany.processed, tooMany.retryAfterMs]).toEqual([ThrottledError, 'no', 1000]);
  });

  it('a local throttle and a missing token are refusals before sending', () => {
    const t = toGraphError({ from: 'throttle', retryAfterMs: 120_000 });
    expect([t.constructor, t.processed, t.retryAfterMs]).toEqual([ThrottledError, 'no', 120_000]);
    expect(toGraphError({ from: 'token' })).toBeInstanceOf(AuthError);
  });
});

describe('a GraphError is a safe value', () => {
  const token = 'EAAGm0PX4ZCpsBAKZCZBsecrettokenvalue123';
  const e = toGraphError({
    from: 'meta', operation: 'check', httpStatus: 400,
    error: { message: `Malformed access token ${token}`, code: 190, userMessage: `token ${token}`, errorData: { token, nested: [token] } },
  }, [token, 'app-secret-value']);

  it('implements GraphFailure and round-trips through JSON without secrets', () => {
    expect(e.kind).toBe('auth');
    const json = JSON.stringify(e);
    expect(json).not.toContain(token);
    expect(JSON.parse(json)).toMatchObject({ name: 'AuthError', kind: 'auth', code: 190, processed: 'no' });
  });

  it('keeps the token out of message, stack, inspect and error data', () => {
    for (const text of [e.message, e.stack ?? '', inspect(e, { depth: 10, showHidden: true }), JSON.stringify(e.errorData), e.userMessage ?? '']) {
      expect(text).not.toContain(token);
    }
  });

  it('has no cause to leak request options through', () => {
    expect(e.cause).toBeUndefined();
  });
});

describe('Meta\'s words cannot forge a log line', () => {
  it('newlines and escape sequences in Meta\'s message and type come out escaped', () => {
    const e = toGraphError({ from: 'meta', operation: 'check', error: { message: 'bad\n2026-01-01 INFO forged line\u001b[2J', code: 100, type: 'X\r\nY' }, httpStatus: 400 });
    expect(e.message).not.toMatch(/[\n\r]/);
    expect(e.message).not.toContain('\u001b');
    expect(e).toBeInstanceOf(InvalidParameterError);
  });
});
