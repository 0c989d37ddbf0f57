import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { bearerMatches } from '../../src/host/bearerMatches.js';
import { hostAllowed } from '../../src/host/hostAllowed.js';
import { isLoopbackHost } from '../../src/host/isLoopbackHost.js';
import { PageRateLimiter, RateLimitOptionError } from '../../src/host/PageRateLimiter.js';
import { META_ID, parseThreadPath } from '../../src/host/parseThreadPath.js';

const tokenArb = fc.stringMatching(/^[!-~]{16,64}$/);

describe('bearerMatches', () => {
  test.prop([tokenArb, tokenArb])('accepts `Bearer <token>` exactly when the tokens are equal', (given, token) => {
    expect(bearerMatches(`Bearer ${given}`, token)).toBe(given === token);
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`bearer  ${token} `, token)).toBe(true);
  });

  test.prop([fc.option(fc.string(), { nil: undefined }), tokenArb])('refuses anything else: no header, another scheme, the bare token, a prefix', (header, token) => {
    fc.pre(header !== `Bearer ${token}`);
    expect(bearerMatches(undefined, token)).toBe(false);
    expect(bearerMatches(token, token)).toBe(false);
    expect(bearerMatches(`Basic ${token}`, token)).toBe(false);
    expect(bearerMatches(`Bearer ${token.slice(0, -1)}`, token)).toBe(false);
    expect(bearerMatches('Bearer ', token)).toBe(false);
    if (header !== undefined && !/^bearer[ \t]+/i.test(header)) expect(bearerMatches(header, token)).toBe(false);
  });
});

describe('parseThreadPath', () => {
  test.prop([fc.oneof(fc.string({ maxLength: 300 }), fc.string({ maxLength: 80 }).map((s) => `wa:${s}`))])('never throws, and accepts only Meta ids as sent', (raw) => {
    const path = `/threads/${raw}`;
    const r = parseThreadPath(path);
    if (r.ok) {
      expect(META_ID.test(r.thread.pageId)).toBe(true);
      const whatsapp = r.thread.channel === 'whatsapp';
      expect(whatsapp ? /^[A-Za-z0-9._-]{1,64}$/.test(r.thread.psid) : META_ID.test(r.thread.psid)).toBe(true);
      expect(path.startsWith(`/threads/${whatsapp ? 'wa:' : ''}${r.thread.pageId}/${r.thread.psid}`)).toBe(true);
    }
  });

  test.prop([fc.stringMatching(/^[0-9]{1,32}$/), fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/)])('reads a WhatsApp thread as wa:NUMBER/USER', (number, user) => {
    expect(parseThreadPath(`/threads/wa:${number}/${user}/request`)).toEqual({ ok: true, thread: { channel: 'whatsapp', pageId: number, psid: user }, action: 'request' });
    expect(parseThreadPath(`/threads/wa:${number}x/${user}`)).toEqual({ ok: false, error: 'bad_thread' });
    expect(parseThreadPath(`/threads/wa:${number}/${user}%2F`)).toEqual({ ok: false, error: 'bad_thread' });
  });

  test.prop([fc.stringMatching(/^[0-9]{1,32}$/), fc.stringMatching(/^[0-9]{1,32}$/), fc.constantFrom(['', 'status'], ['/', 'status'], ['/request', 'request'], ['/refresh/', 'refresh'], ['/chart', 'chart'])])(
    'reads every well-formed path',
    (pageId, psid, [suffix, action]) => {
      expect(parseThreadPath(`/threads/${pageId}/${psid}${suffix}`)).toEqual({ ok: true, thread: { pageId, psid }, action });
    },
  );
});

describe('hostAllowed', () => {
  const own = { listenHost: '127.0.0.1', port: 3001 };
  it.each([
    ['127.0.0.1:3001', true], ['localhost:3001', true], ['LOCALHOST:3001', true], ['[::1]:3001', true], ['127.0.0.1', true],
    ['127.0.0.1:3002', false], ['evil.example:3001', false], ['localhost.evil.example:3001', false], ['', false], [undefined, false],
    ['127.0.0.1:3001:3001', false], ['127.0.0.1@evil.example', false], ['[::1', false],
  ])('%s on a loopback listener: %s', (header, allowed) => {
    expect(hostAllowed(header, own)).toBe(allowed);
  });

  it('accepts the address it listens on, and the extra names (any port, or the one given)', () => {
    expect(hostAllowed('10.0.0.5:3001', { listenHost: '10.0.0.5', port: 3001 })).toBe(true);
    expect(hostAllowed('[fe80::1]:3001', { listenHost: 'fe80::1', port: 3001 })).toBe(true);
    const extra = { ...own, extra: ['api.internal', 'proxy.example:8443'] };
    expect(hostAllowed('api.internal:9999', extra)).toBe(true);
    expect(hostAllowed('proxy.example:8443', extra)).toBe(true);
    expect(hostAllowed('proxy.example', extra)).toBe(false);
    expect(hostAllowed('proxy.example:443', extra)).toBe(false);
  });
});

describe('isLoopbackHost', () => {
  it.each([['127.0.0.1', true], ['127.9.9.9', true], ['::1', true], ['[::1]', true], ['localhost', true], ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false], ['::', false], ['10.0.0.1', false], ['example.com', false], ['128.0.0.1', false]])('%s: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('PageRateLimiter', () => {
  test.prop([fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 10 }), fc.array(fc.tuple(fc.constantFrom('1', '2', '3'), fc.nat({ max: 5_000 })), { maxLength: 200 })])(
    'lets a Page through at most burst + rate x elapsed, and never counts one Page against another',
    (burst, perSecond, steps) => {
      let now = 0;
      const limiter = new PageRateLimiter({ burst, perSecond, now: () => now });
      const allowed = new Map<string, number>();
      for (const [page, dt] of steps) {
        now += dt;
        const wait = limiter.take(page);
        expect(wait).toBeGreaterThanOrEqual(0);
        if (wait === 0) allowed.set(page, (allowed.get(page) ?? 0) + 1);
        else expect(Number.isInteger(wait) && wait >= 1).toBe(true);
      }
      for (const n of allowed.values()) expect(n).toBeLessThanOrEqual(burst + Math.floor((now / 1000) * perSecond) + 1);
    },
  );

  it('forgets the least recently seen Page past maxPages, so the table stays bounded', () => {
    const limiter = new PageRateLimiter({ maxPages: 100, now: () => 0 });
    for (let i = 0; i < 10_000; i++) limiter.take(String(i));
    expect(limiter.size).toBe(100);
  });

  it.each([[{ burst: Number.NaN }], [{ perSecond: 0 }], [{ perSecond: -1 }], [{ maxPages: Number.POSITIVE_INFINITY }]])('refuses %j at construction', (options) => {
    expect(() => new PageRateLimiter(options)).toThrow(RateLimitOptionError);
  });
});
