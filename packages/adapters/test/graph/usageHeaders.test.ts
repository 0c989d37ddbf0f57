import { describe, expect, it } from 'vitest';
import { parseAppUsage, parseBusinessUseCaseUsage } from '@callperm/adapters/graph';

// Moved from BusinessUseCaseThrottle.test.ts when that class gave way to the client's internal throttle gate.
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
