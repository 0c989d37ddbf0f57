import { createCallPermissions, memoryStore } from '@callperm/core';
import {
  createWebhookCore, createWebhookHandler, webhookRefusals, WebhookOptionError, type ReceivedResponse, type WebhookResponse,
} from '@callperm/adapters/webhook';
import { offlineGraph, otherObjectBodyArb, signWebhook, VirtualClock, webhookBodyArb } from '@callperm/testing';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { coreRequest, signedPost } from './coreRequest.js';
import { countingStore } from './countingStore.js';

const SECRET = 'shared-url-secret';
const graph = offlineGraph();

const receiver = (refuseOtherObjects?: boolean) => {
  const { store, writes } = countingStore();
  const errors: unknown[] = [];
  const permissions = createCallPermissions({ graph, store, clock: new VirtualClock(Date.UTC(2026, 0, 1)) });
  const core = createWebhookCore({
    appSecret: SECRET, verifyToken: 'v', permissions, onError: (e) => errors.push(e),
    ...(refuseOtherObjects === undefined ? {} : { refuseOtherObjects }),
  });
  return { core, permissions, writes, errors };
};

const ignoredOf = (res: WebhookResponse) => (res as Partial<ReceivedResponse>).ignoredObject;

/** One receiver per option, shared across runs: the counters must move by exactly one per ignored body. */
const byDefault = receiver();
const refusing = receiver(true);

describe('signed bodies of another Meta product (a shared callback URL)', () => {
  test.prop([otherObjectBodyArb])('are answered 200, named, counted once, and change nothing in the store', async ({ object, payload }) => {
    const { core, writes, errors } = byDefault;
    const [before, counted] = [writes(), core.ignoredObjects];
    const res = await core.handle(signedPost(SECRET, JSON.stringify(payload)));
    await core.drain();
    expect([res.status, res.reason, ignoredOf(res)]).toEqual([200, null, object]);
    expect(core.ignoredObjects).toBe(counted + 1);
    expect(writes()).toBe(before);
    expect(errors).toEqual([]);
  });

  test.prop([otherObjectBodyArb])('with refuseOtherObjects: refused as before (400 not_a_page_webhook), not counted, nothing stored', async ({ payload }) => {
    const { core, writes } = refusing;
    const before = writes();
    const res = await core.handle(signedPost(SECRET, JSON.stringify(payload)));
    expect([res.status, res.reason]).toEqual([webhookRefusals.not_a_page_webhook, 'not_a_page_webhook']);
    expect(JSON.parse(res.body)).toEqual({ reason: 'not_a_page_webhook' });
    expect(core.ignoredObjects).toBe(0);
    expect(writes()).toBe(before);
  });

  test.prop([
    otherObjectBodyArb,
    fc.boolean(),
    fc.oneof(
      fc.constant({ kind: 'missing' as const }),
      fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s !== SECRET).map((secret) => ({ kind: 'other_secret' as const, secret })),
      fc.stringMatching(/^(sha256=[0-9a-f]{0,70}|sha1=[0-9a-f]{40}|[ -~]{0,30})$/).map((header) => ({ kind: 'malformed' as const, header })),
    ),
  ])('unsigned or badly signed: refused exactly as before, whichever the option, and not counted', async ({ payload }, refuse, sig) => {
    const { core, writes } = refuse ? refusing : byDefault;
    const [before, counted] = [writes(), core.ignoredObjects];
    const text = JSON.stringify(payload);
    const header = sig.kind === 'missing' ? undefined : sig.kind === 'other_secret' ? signWebhook(sig.secret, text) : sig.header;
    fc.pre(header === undefined || header !== signWebhook(SECRET, text));
    const res = await core.handle(coreRequest({
      body: text, headers: { 'content-type': 'application/json', ...(header === undefined ? {} : { 'x-hub-signature-256': header }) },
    }));
    const expected = header === undefined || header.trim() === '' ? 'missing_signature' : 'invalid_signature';
    expect([res.status, res.reason]).toEqual([401, expected]);
    expect(core.ignoredObjects).toBe(counted);
    expect(writes()).toBe(before);
  });

  test.prop([webhookBodyArb], { numRuns: 50 })('Page webhooks are accepted alike with the option on', async ({ payload }) => {
    const res = await refusing.core.handle(signedPost(SECRET, JSON.stringify(payload)));
    expect([res.status, ignoredOf(res)]).toEqual([200, undefined]);
  });
});

describe('the refuseOtherObjects option', () => {
  const permissions = createCallPermissions({ graph, store: memoryStore(), clock: new VirtualClock() });
  it('takes true, false or nothing; anything else throws WebhookOptionError invalid_option at construction', () => {
    for (const given of [{ refuseOtherObjects: true }, { refuseOtherObjects: false }, {}]) {
      expect(() => createWebhookHandler({ appSecret: SECRET, verifyToken: 'v', permissions, ...given })).not.toThrow();
    }
    for (const bad of ['true', 1, 0, null, {}]) {
      let thrown: unknown;
      try {
        createWebhookHandler({ appSecret: SECRET, verifyToken: 'v', permissions, refuseOtherObjects: bad as never });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(WebhookOptionError);
      expect([(thrown as WebhookOptionError).code, (thrown as WebhookOptionError).option]).toEqual(['invalid_option', 'refuseOtherObjects']);
    }
  });
});
