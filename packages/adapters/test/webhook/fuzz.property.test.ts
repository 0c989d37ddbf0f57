import { createCallPermissions } from '@callperm/core';
import { createWebhookHandler, type WebhookResponse } from '@callperm/adapters/webhook';
import { signWebhook, webhookBodyArb, VirtualClock } from '@callperm/testing';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { coreRequest, signedPost } from './coreRequest.js';
import { offlineGraph } from '@callperm/testing';
import { countingStore } from './countingStore.js';

const SECRET = 'fuzz-secret';
const OLD_SECRET = 'fuzz-secret-previous';
const LIMIT = 16 * 1024;
/** At least 2,000 runs per property (7 properties: >= 14,000 cases); more when FC_NUM_RUNS asks for more. */
const runs = { numRuns: Math.max(2_000, fc.readConfigureGlobal().numRuns ?? 0) };

const { store, writes } = countingStore();
const clock = new VirtualClock(Date.UTC(2026, 0, 1));
const errors: unknown[] = [];
const graph = offlineGraph('no Graph in the fuzz');
const permissions = createCallPermissions({ graph, store, clock });
const { core } = createWebhookHandler({
  appSecrets: [SECRET, OLD_SECRET], verifyToken: 'fuzz-token', permissions, maxBodyBytes: LIMIT, onError: (e) => errors.push(e),
});

/** Runs one request: it must resolve, never with a 5xx, and report nothing through onError. */
const answer = async (req: Parameters<typeof core.handle>[0]): Promise<WebhookResponse> => {
  const res = await core.handle(req);
  expect(res.status).toBeLessThan(500);
  expect(errors).toEqual([]);
  return res;
};

/** Runs a request that carries no valid signature: refused, and the store untouched. */
const refusedUnchanged = async (req: Parameters<typeof core.handle>[0]): Promise<WebhookResponse> => {
  const before = writes();
  const res = await answer(req);
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(writes()).toBe(before);
  return res;
};

const badSignatureArb = fc.oneof(
  fc.constant(undefined),
  fc.constant(''),
  fc.string({ maxLength: 80 }),
  fc.stringMatching(/^sha256=[0-9a-f]{64}$/),
  fc.stringMatching(/^sha1=[0-9a-f]{40}$/),
  fc.stringMatching(/^SHA256=[0-9A-F]{0,70}$/),
);
const headersWith = (sig: string | undefined): Record<string, string> =>
  ({ 'content-type': 'application/json', ...(sig === undefined ? {} : { 'x-hub-signature-256': sig }) });

/** Valid JSON text of shapes Meta never sends, and Page envelopes with hostile insides (deep nesting built as text). */
const hostileJsonArb: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue(),
  fc.record({ object: fc.constantFrom('page', 'Page', 'user', 'whatsapp_business_account'), entry: fc.jsonValue() }),
  fc.record({ object: fc.constant('page'), entry: fc.array(fc.dictionary(
    fc.constantFrom('id', 'time', 'messaging', 'changes', 'calls', 'sender', 'recipient', 'timestamp', 'call_permission_reply', '__proto__', 'constructor'),
    fc.jsonValue({ maxDepth: 4 }),
  ), { maxLength: 5 }) }),
).map((json) => JSON.stringify(json)).chain((text) => fc.oneof(
  fc.constant(text),
  fc.integer({ min: 1, max: 5_000 }).map((d) => `{"object":"page","entry":[${'['.repeat(d)}${']'.repeat(d)}]}`),
  fc.integer({ min: 1, max: 5_000 }).map((d) => `{"object":"page","entry":[{"messaging":[${'{"message":'.repeat(d)}1${'}'.repeat(d)}]}]}`),
));

describe('fuzzing the receiver: never a 5xx, never a crash, never a change without a valid signature', () => {
  test.prop([fc.uint8Array({ maxLength: 2048 }), badSignatureArb], runs)('random bytes with missing, malformed or wrong signatures', async (bytes, sig) => {
    const res = await refusedUnchanged(coreRequest({ body: bytes, headers: headersWith(sig) }));
    expect(['missing_signature', 'invalid_signature']).toContain(res.reason);
  });

  test.prop([webhookBodyArb, fc.nat(), fc.boolean()], runs)('truncated JSON: refused unsigned, 400 when signed', async ({ payload }, cut, sign) => {
    const text = JSON.stringify(payload);
    const truncated = text.slice(0, cut % Math.max(1, text.length));
    if (!sign) {
      await refusedUnchanged(signedPost(null, truncated));
      return;
    }
    const res = await answer(signedPost(SECRET, truncated));
    expect(res.status === 400 || res.status === 200).toBe(true);
  });

  test.prop([
    fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', 'multipart/form-data', 'json')),
    fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'post'),
  ], runs)('wrong content types and methods', async (contentType, method) => {
    const body = '{"object":"page","entry":[]}';
    const req = coreRequest({ method, body, headers: { 'content-type': contentType, 'x-hub-signature-256': signWebhook(SECRET, body) } });
    const isJson = contentType.split(';')[0]?.trim().toLowerCase() === 'application/json';
    if (method.toUpperCase() === 'POST' && isJson) return; // that one is valid
    const res = await refusedUnchanged(req);
    expect(['unsupported_media_type', 'method_not_allowed']).toContain(res.reason);
  });

  test.prop([fc.integer({ min: LIMIT + 1, max: 4 * LIMIT }), fc.boolean(), fc.boolean()], runs)('bodies over the limit: 413 before anything else', async (size, sign, declare) => {
    const body = new Uint8Array(size).fill(0x20);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (sign) headers['x-hub-signature-256'] = signWebhook(SECRET, body);
    if (declare) headers['content-length'] = String(size);
    const res = await refusedUnchanged(coreRequest({ body, headers }));
    expect(res.reason).toBe('payload_too_large');
  });

  test.prop([hostileJsonArb, fc.constantFrom(SECRET, OLD_SECRET), fc.boolean()], runs)('valid JSON of the wrong shape, and hostile Page envelopes, signed or not', async (text, secret, sign) => {
    if (text.length > LIMIT) return;
    if (!sign) {
      await refusedUnchanged(signedPost(null, text));
      return;
    }
    const res = await answer(signedPost(secret, text));
    expect([200, 400]).toContain(res.status);
  });

  test.prop([webhookBodyArb, fc.constantFrom(SECRET, OLD_SECRET)], runs)('every documented payload, signed with a current or previous secret, is accepted', async ({ payload }, secret) => {
    const text = JSON.stringify(payload);
    fc.pre(text.length <= LIMIT);
    const res = await answer(signedPost(secret, text));
    expect(res.status).toBe(200);
  });

  test.prop([webhookBodyArb, fc.string({ minLength: 1, maxLength: 40 })], runs)('a signature made with any other secret changes nothing', async ({ payload }, otherSecret) => {
    fc.pre(otherSecret !== SECRET && otherSecret !== OLD_SECRET);
    const text = JSON.stringify(payload);
    const res = await refusedUnchanged(signedPost(otherSecret, text));
    expect(res.reason).toBe('invalid_signature');
  });
});
