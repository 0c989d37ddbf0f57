import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { VirtualClock } from '@callperm/testing';
import { POLICY_BLOCK_MS, ThrottleGate, throttleScopeOf } from '../../src/graph/throttleGate.js';
import { SCOPE_OF_CODE } from './support/throttleCodes.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const buc = (usage: Record<string, unknown[]>) => ({ 'x-business-use-case-usage': JSON.stringify(usage) });
const entry = (regain: number) => ({ type: 'messenger', call_count: 100, total_cputime: 20, total_time: 30, estimated_time_to_regain_access: regain });

describe('throttleScopeOf', () => {
  it.each(SCOPE_OF_CODE)('code %i holds back the %s', (code, scope) => {
    expect(throttleScopeOf(code)).toBe(scope);
  });

  it('a throttle without a code (a bare 429) holds back the Page', () => {
    expect(throttleScopeOf(undefined)).toBe('page');
  });
});

describe('ThrottleGate', () => {
  test.prop([fc.constantFrom(...SCOPE_OF_CODE), fc.integer({ min: 1_000, max: 10 * MIN })])(
    'one throttle without a wait blocks exactly its scope for the first backoff step',
    ([code, scope], baseMs) => {
      const clock = new VirtualClock(0);
      const gate = new ThrottleGate({ clock, baseMs });
      const verdict = gate.throttled('page-a', { code });
      const wait = code === 368 ? Math.max(POLICY_BLOCK_MS, baseMs) : baseMs;
      expect(verdict).toEqual({ waitMs: wait, givenByMeta: false });
      expect(gate.retryAfterMs('page-a')).toBe(wait);
      // The whole client waits for the app and the user; another Page goes on for a Page or business throttle.
      expect(gate.retryAfterMs('page-b')).toBe(scope === 'app' || scope === 'user' ? wait : undefined);
      clock.advance(wait - 1);
      expect(gate.retryAfterMs('page-a')).toBe(1);
      clock.advance(1);
      expect(gate.retryAfterMs('page-a')).toBeUndefined();
    },
  );

  test.prop([fc.constantFrom(...SCOPE_OF_CODE.filter(([c]) => c !== 368)), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1_000, max: 120_000 })])(
    'repeated throttles of a scope double the wait up to the cap; a success starts over',
    ([code], repeats, baseMs) => {
      const clock = new VirtualClock(0);
      const gate = new ThrottleGate({ clock, baseMs, maxMs: HOUR });
      for (let k = 0; k < repeats; k++) {
        const { waitMs } = gate.throttled('p', { code });
        expect(waitMs).toBe(Math.min(HOUR, baseMs * 2 ** k));
        clock.advance(waitMs);
      }
      gate.observeSuccess('p');
      expect(gate.throttled('p', { code }).waitMs).toBe(baseMs);
    },
  );

  it('a burst of throttled answers while blocked counts once', () => {
    const clock = new VirtualClock(0);
    const gate = new ThrottleGate({ clock });
    gate.throttled('p', { code: 4 });
    expect(gate.throttled('p', { code: 4 }).waitMs).toBe(MIN);
  });

  test.prop([fc.constantFrom(...SCOPE_OF_CODE), fc.integer({ min: 1, max: 2 * HOUR })])('Meta\'s own wait wins over the backoff', ([code], wait) => {
    const clock = new VirtualClock(0);
    const gate = new ThrottleGate({ clock });
    expect(gate.throttled('p', { code, retryAfterMs: wait })).toEqual({ waitMs: wait, givenByMeta: true });
  });

  it('blocks the Page whose answer reported a throttled business, until the regain time', () => {
    const clock = new VirtualClock(1_000_000);
    const gate = new ThrottleGate({ clock });
    gate.observeHeaders('page-1', buc({ 'biz-9': [entry(5)] }));
    expect(gate.retryAfterMs('page-1')).toBe(5 * MIN);
    expect(gate.retryAfterMs('page-2')).toBeUndefined();
    // The 80006 that came with that header keeps Meta's wait, not the backoff.
    expect(gate.throttled('page-1', { code: 80006 })).toEqual({ waitMs: 5 * MIN, givenByMeta: true });
    clock.advance(5 * MIN);
    expect(gate.retryAfterMs('page-1')).toBeUndefined();
  });

  it('a business seen from two Pages blocks both; a Page of another business goes on', () => {
    const clock = new VirtualClock(0);
    const gate = new ThrottleGate({ clock });
    gate.observeHeaders('page-2', buc({ 'biz-9': [entry(0)] }));
    gate.observeHeaders('page-1', buc({ 'biz-9': [entry(3)] }));
    expect(gate.blockedUntil('page-2')).toBe(3 * MIN);
    expect(gate.blockedUntil('page-3')).toBeUndefined();
  });

  it('usage below the limit never blocks, and a fresh header showing recovery unblocks', () => {
    const clock = new VirtualClock(0);
    const gate = new ThrottleGate({ clock });
    gate.observeHeaders('p', buc({ b: [{ ...entry(0), call_count: 99 }] }));
    expect(gate.retryAfterMs('p')).toBeUndefined();
    gate.observeHeaders('p', buc({ b: [entry(10)] }));
    gate.observeHeaders('p', buc({ b: [entry(0)] }));
    expect(gate.retryAfterMs('p')).toBeUndefined();
  });

  it('X-App-Usage at 100 % backs every Page off; X-Page-Usage its own Page', () => {
    const clock = new VirtualClock(0);
    const gate = new ThrottleGate({ clock, baseMs: 10_000 });
    gate.observeHeaders('p1', { 'x-page-usage': '{"call_count":100,"total_cputime":1,"total_time":1}' });
    expect([gate.retryAfterMs('p1'), gate.retryAfterMs('p2')]).toEqual([10_000, undefined]);
    gate.observeHeaders('p1', { 'x-app-usage': '{"call_count":100,"total_cputime":1,"total_time":1}' });
    expect(gate.retryAfterMs('p2')).toBe(10_000);
  });
});
