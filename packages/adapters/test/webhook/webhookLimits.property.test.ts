import { fc, test } from '@fast-check/vitest';
import { createCallPermissions, memoryStore } from '@callperm/core';
import {
  createWebhookHandler, webhookDefaults, WebhookOptionError, type WebhookLimits,
} from '@callperm/adapters/webhook';
import { VirtualClock, offlineGraph } from '@callperm/testing';
import { describe, expect, it } from 'vitest';
import { signedPost } from './coreRequest.js';

const SECRET = 'limits-secret';
const graph = offlineGraph('offline');
const permissions = createCallPermissions({ graph, store: memoryStore(), clock: new VirtualClock() });
const make = (limits: Partial<Record<keyof WebhookLimits, unknown>>) =>
  createWebhookHandler({ appSecret: SECRET, verifyToken: 't', permissions, ...limits } as never);

const names = Object.keys(webhookDefaults) as (keyof WebhookLimits)[];
/** Values no limit takes: not numbers, not whole, not finite, negative. */
const bad = fc.oneof(
  fc.constantFrom<unknown>(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 0.5, 1e300, '1024', null, true, 2 ** 53),
  fc.double({ noInteger: true }),
  fc.integer({ max: -1 }),
);

describe('the numeric options of the receiver', () => {
  test.prop([fc.constantFrom(...names), bad])('refuse anything but a whole number in range, at construction, with a code and the option', (name, value) => {
    let thrown: unknown;
    try {
      make({ [name]: value });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(WebhookOptionError);
    expect(thrown).toBeInstanceOf(RangeError);
    expect((thrown as WebhookOptionError).code).toBe('invalid_option');
    expect((thrown as WebhookOptionError).option).toBe(name);
  });

  test.prop([fc.constantFrom(...names), fc.integer({ min: 1, max: 100_000 })])('take any whole number in range', (name, value) => {
    expect(() => make({ [name]: value })).not.toThrow();
  });

  it('keep maxBodyBytes: NaN from disabling the body limit', async () => {
    expect(() => make({ maxBodyBytes: Number.NaN })).toThrow(WebhookOptionError);
    const { core } = make({ maxBodyBytes: 16 });
    expect((await core.handle(signedPost(SECRET, JSON.stringify({ object: 'page', entry: [] })))).reason).toBe('payload_too_large');
  });
});
