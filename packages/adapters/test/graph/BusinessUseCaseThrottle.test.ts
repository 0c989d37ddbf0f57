import { describe, expect, it } from 'vitest';
import type { Clock } from '@callperm/core';
import { BusinessUseCaseThrottle, parseAppUsage, parseBusinessUseCaseUsage } from '@callperm/adapters/graph';

const MIN = 60_000;
const clockAt = (start: number): Clock & { now(): number; advance(ms: number): void } => {
  let t = start;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
};
const buc = (usage: Record<string, unknown[]>) => ({ 'x-business-use-case-usage': JSON.stringify(usage) });
const entry = (regain: number) => ({ type: 'messenger', call_count: 100, total_cputime: 20, total_time: 30, estimated_time_to_regain_access: regain });

describe('usage headers', () => {
  it('reads X-Business-Use-Case-Usage as documented, business id -> entries', () => {
    const parsed = parseBusinessUseCaseUsage(JSON.stringify({ '112233': [entry(7), { type: 'pages', call_count: '12' }] }));
    expect(parsed.get('112233')).toEqual([
      { type: 'messenger', callCount: 100, totalCputime: 20, totalTime: 30, regainAccessMinutes: 7 },
      { type: 'pages', callCount: 12, totalCputime: 0, totalTime: 0, regainAccessMinutes: 0 },
    ]);
  });

  it('an absent or unreadable header is no information, never an exception', () => {
    expect(parseBusinessUseCaseUsage(undefined).size).toBe(0);
    expect(parseBusinessUseCaseUsage('{nope').size).toBe(0);
    expect(parseBusinessUseCaseUsage('[1,2]').size).toBe(0);
    expect(parseAppUsage('')).toBeNull();
  });

  it('reads X-App-Usage', () => {
    expect(parseAppUsage('{"call_count":28,"total_time":25,"total_cputime":25}')).toEqual({
      callCount: 28, totalCputime: 25, totalTime: 25, regainAccessMinutes: 0,
    });
  });
});

describe('BusinessUseCaseThrottle', () => {
  it('blocks the Page whose request reported a throttled business, until the regain time', () => {
    const clock = clockAt(1_000_000);
    const t = new BusinessUseCaseThrottle({ clock });
    t.observe('page-1', buc({ 'biz-9': [entry(5)] }));
    expect(t.retryAfterMs('page-1')).toBe(5 * MIN);
    expect(t.retryAfterMs('page-2')).toBeUndefined();
    clock.advance(5 * MIN - 1);
    expect(t.retryAfterMs('page-1')).toBe(1);
    clock.advance(1);
    expect(t.retryAfterMs('page-1')).toBeUndefined();
  });

  it('a business seen from two Pages blocks both', () => {
    const clock = clockAt(0);
    const t = new BusinessUseCaseThrottle({ clock });
    t.observe('page-2', buc({ 'biz-9': [entry(0)] }));
    t.observe('page-1', buc({ 'biz-9': [entry(3)] }));
    expect(t.blockedUntil('page-2')).toBe(3 * MIN);
  });

  it('usage below the limit never blocks, and a fresh header showing recovery unblocks', () => {
    const clock = clockAt(0);
    const t = new BusinessUseCaseThrottle({ clock });
    t.observe('p', buc({ b: [{ ...entry(0), call_count: 99 }] }));
    expect(t.retryAfterMs('p')).toBeUndefined();
    t.observe('p', buc({ b: [entry(10)] }));
    t.observe('p', buc({ b: [entry(0)] }));
    expect(t.retryAfterMs('p')).toBeUndefined();
  });

  it('a BUC error code without a header blocks the Page for the fallback; 613 alone does not', () => {
    const clock = clockAt(0);
    const t = new BusinessUseCaseThrottle({ clock, fallbackMs: 30_000 });
    t.observeFailure('p', { code: 613 });
    expect(t.retryAfterMs('p')).toBeUndefined();
    t.observeFailure('p', { code: 80006 });
    expect(t.retryAfterMs('p')).toBe(30_000);
  });

  it('X-App-Usage at 100 % blocks every Page; X-Page-Usage blocks its Page', () => {
    const clock = clockAt(0);
    const t = new BusinessUseCaseThrottle({ clock, fallbackMs: 10_000 });
    t.observe('p1', { 'x-page-usage': '{"call_count":100,"total_cputime":1,"total_time":1}' });
    expect([t.retryAfterMs('p1'), t.retryAfterMs('p2')]).toEqual([10_000, undefined]);
    t.observe('p1', { 'x-app-usage': '{"call_count":100,"total_cputime":1,"total_time":1}' });
    expect(t.retryAfterMs('p2')).toBe(10_000);
  });
});
