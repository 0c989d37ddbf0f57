import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { GraphConfigError, graphApi, type GraphApiOptions } from '@callperm/adapters/graph';

const TOKEN = 'EAAcanaryToken0123456789abcdefXYZ';
const SECRET = 'app-secret-canary-5d1f0c9a';

const refusal = (options: Partial<GraphApiOptions>): GraphConfigError | undefined => {
  try {
    graphApi({ accessToken: TOKEN, appSecret: SECRET, ...options }).close();
    return undefined;
  } catch (e) {
    if (e instanceof GraphConfigError) return e;
    throw e;
  }
};

/** Every numeric option, as a way to put one value into it. */
const NUMERIC: Readonly<Record<string, (v: number) => Partial<GraphApiOptions>>> = {
  'timeouts.response': (v) => ({ timeouts: { response: v } }),
  'timeouts.connect': (v) => ({ timeouts: { connect: v } }),
  'timeouts.request': (v) => ({ timeouts: { request: v } }),
  'retry.limit': (v) => ({ retry: { limit: v } }),
  'retry.baseDelayMs': (v) => ({ retry: { baseDelayMs: v } }),
  'retry.maxDelayMs': (v) => ({ retry: { maxDelayMs: v } }),
  throttleFallbackMs: (v) => ({ throttleFallbackMs: v }),
  throttleMaxMs: (v) => ({ throttleMaxMs: v }),
  'batch.size': (v) => ({ batch: { size: v } }),
  'batch.nullRetries': (v) => ({ batch: { nullRetries: v } }),
  maxResponseBytes: (v) => ({ maxResponseBytes: v }),
};

describe('graphApi validates its options at construction', () => {
  for (const [name, put] of Object.entries(NUMERIC)) {
    it(`refuses NaN, Infinity, negatives and fractions for ${name}`, () => {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 2.5]) {
        const e = refusal(put(bad));
        expect(e?.code).toBe('invalid_option');
        expect(e?.option).toBe(name);
      }
    });
  }

  it('refuses a batch size over Meta\'s limit of 50', () => {
    expect(refusal({ batch: { size: 51 } })?.option).toBe('batch.size');
  });

  it('accepts the defaults and sensible values', () => {
    expect(refusal({})).toBeUndefined();
    expect(refusal({
      timeouts: { response: 5_000 }, retry: { limit: 0, baseDelayMs: 1, maxDelayMs: 2 }, throttleFallbackMs: 1_000,
      batch: { size: 50, nullRetries: 0 }, maxResponseBytes: 1,
    })).toBeUndefined();
  });

  test.prop([fc.constantFrom(...Object.keys(NUMERIC)), fc.double()])('any number is either accepted or refused naming its option', (name, v) => {
    const e = refusal(NUMERIC[name]!(v));
    if (e !== undefined) expect(e.option).toBe(name);
    if (!Number.isFinite(v) || v < 0) expect(e?.code).toBe('invalid_option');
  });

  it('an option given as undefined keeps its default timeout', () => {
    expect(refusal({ timeouts: { response: undefined } as unknown as NonNullable<GraphApiOptions['timeouts']> })).toBeUndefined();
  });
});

describe('graphApi sends the token over https only, or plain http to loopback', () => {
  for (const url of ['https://graph.facebook.com', 'http://127.0.0.1:8080', 'http://127.10.0.3', 'http://localhost:3000', 'http://[::1]:9000', 'https://10.0.0.5']) {
    it(`accepts ${url}`, () => expect(refusal({ baseUrl: url })).toBeUndefined());
  }

  for (const url of ['http://graph.facebook.com', 'http://10.0.0.5:8080', 'http://127.0.0.1.evil.example', 'http://localhost.evil.example', 'http://[::2]', 'ftp://127.0.0.1', 'ws://localhost']) {
    it(`refuses ${url}`, () => {
      const e = refusal({ baseUrl: url });
      expect(e?.code).toBe('insecure_base_url');
      expect(e?.option).toBe('baseUrl');
    });
  }

  it('refuses a base URL that does not parse or carries a password', () => {
    expect(refusal({ baseUrl: 'not a url' })?.code).toBe('invalid_option');
    const withPassword = refusal({ baseUrl: 'https://user:pw-canary@graph.facebook.com' });
    expect(withPassword?.option).toBe('baseUrl');
    expect(JSON.stringify({ m: withPassword?.message, s: withPassword?.stack })).not.toContain('pw-canary');
  });

  it('never puts the token or secret in the refusal', () => {
    const e = refusal({ baseUrl: `http://example.com/${TOKEN}`, retry: { limit: Number.NaN } });
    expect(`${e?.message} ${e?.stack}`).not.toContain(TOKEN);
    expect(`${e?.message} ${e?.stack}`).not.toContain(SECRET);
  });
});
