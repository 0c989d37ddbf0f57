import type { ThrottleScope } from '../../../src/graph/throttleGate.js';

/**
 * Every throttling code Meta documents, with the scope it must hold back (facts
 * §6.2, §6.3, §8): 4/341 the app, 17 and 9/2018352 the token's user, 32/80001/613
 * (off the opt-in)/368 the Page, 80006 and the other 800xx BUC codes the business.
 */
export const SCOPE_OF_CODE: readonly (readonly [number, ThrottleScope])[] = [
  [4, 'app'], [341, 'app'], [17, 'user'], [9, 'user'], [32, 'page'], [80001, 'page'], [613, 'page'], [368, 'page'],
  [80006, 'business'], [80000, 'business'], [80002, 'business'], [80003, 'business'], [80004, 'business'],
  [80005, 'business'], [80008, 'business'], [80009, 'business'],
];

/** Meta's error body for a throttling code (9 comes with its subcode 2018352, the one that throttles). */
export const throttleBody = (code: number): { error: Record<string, unknown> } => ({
  error: {
    message: `(#${code}) throttled`, type: 'OAuthException', code,
    ...(code === 9 ? { error_subcode: 2018352 } : {}), fbtrace_id: 'AstubTrace',
  },
});
