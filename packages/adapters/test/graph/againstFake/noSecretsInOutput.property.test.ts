import { inspect } from 'node:util';
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { graphApi, type GraphLogEntry } from '@callperm/adapters/graph';
import type { GraphFailure } from '@callperm/core';
import { createFakeGraphApi, fakeMetaErrors, VirtualClock, type FakeEndpoint, type FakeFault } from '@callperm/testing';

const token = fc.oneof(fc.stringMatching(/^EAA[A-Za-z0-9]{20,80}$/), fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/));
const appSecret = fc.oneof(fc.stringMatching(/^[a-f0-9]{32}$/), fc.stringMatching(/^[A-Za-z0-9]{12,40}$/));

/** Faults that make Meta (or the wire) say something, some of it echoing the secrets back. */
const faultFor = (tok: string, secret: string): fc.Arbitrary<FakeFault> => fc.oneof(
  fc.constant<FakeFault>({
    kind: 'error', status: 400,
    body: { error: { message: `Malformed access token ${tok}`, type: 'OAuthException', code: 190, error_user_msg: `secret ${secret}`, error_data: { tok, secret, list: [tok] } } },
  }),
  fc.constant<FakeFault>({ kind: 'error', status: 500, body: { error: { message: `(#1) ${secret} ${tok}`, type: 'OAuthException', code: 1 } } }),
  fc.constant<FakeFault>({ kind: 'status', status: 502, body: `<html>${tok} ${secret}</html>` }),
  fc.constant<FakeFault>({ kind: 'error', body: fakeMetaErrors.messengerThrottled }),
  // Longer than maxResponseBytes: cut off, and the part read is never quoted.
  fc.constant<FakeFault>({ kind: 'status', status: 200, body: `${tok} ${secret} `.repeat(400) }),
  fc.constantFrom<FakeFault>({ kind: 'reset' }, { kind: 'hang' }, { kind: 'malformed' }),
);

const endpoint = fc.constantFrom<FakeEndpoint>('check', 'send', 'batch');

const outputsOf = (f: GraphFailure): string[] => {
  const e = f as GraphFailure & Error;
  return [f.message, String(e), e.stack ?? '', JSON.stringify(f), inspect(f, { depth: Infinity, showHidden: true }), inspect(f, { depth: Infinity, compact: false })];
};

describe('secrets never leave the client', () => {
  const scenario = fc.tuple(token, appSecret).chain(([tok, secret]) => fc.record({
    tok: fc.constant(tok), secret: fc.constant(secret), wrongToken: fc.boolean(),
    faults: fc.array(fc.tuple(endpoint, faultFor(tok, secret)), { minLength: 1, maxLength: 4 }),
  }));

  test.prop([scenario])(
    'no token or app secret in any error output or log line',
    async ({ tok, secret, wrongToken, faults }) => {
      const clock = new VirtualClock(Date.UTC(2026, 5, 1));
      // With `wrongToken` the fake expects another token, so Meta's own 190 comes back.
      const fake = await createFakeGraphApi({ clock, appSecret: secret, accessTokens: wrongToken ? 'some-other-token' : tok });
      const log: GraphLogEntry[] = [];
      const graph = graphApi({
        accessToken: () => tok, appSecret: secret, baseUrl: fake.url, clock,
        timeouts: { response: 40 }, retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 2 }, log: (e) => log.push(e), maxResponseBytes: 8 * 1024,
      });
      try {
        const thread = { pageId: '1001', psid: '2002' };
        fake.inbound(thread);
        for (const [ep, f] of faults) fake.inject(ep, f);
        const failures: GraphFailure[] = [];
        const check = await graph.checkPermission(thread);
        if (!check.ok) failures.push(check.error);
        const send = await graph.sendPermissionRequest(thread);
        if (!send.ok) failures.push(send.error);
        for (const item of await graph.checkMany([thread, { pageId: '1001', psid: '2003' }])) if (!item.result.ok) failures.push(item.result.error);
        const texts = [...failures.flatMap(outputsOf), ...log.map((l) => JSON.stringify(l))];
        for (const text of texts) {
          expect(text).not.toContain(tok);
          expect(text).not.toContain(secret);
        }
      } finally {
        graph.close();
        await fake.close();
      }
    },
  );
});
