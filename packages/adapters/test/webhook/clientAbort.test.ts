import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCallPermissions, memoryStore } from '@callperm/core';
import {
  createWebhookHandler, type WebhookError, type WebhookHandler, type WebhookResponse,
} from '@callperm/adapters/webhook';
import { VirtualClock, signWebhook, offlineGraph } from '@callperm/testing';
import { describe, expect, it } from 'vitest';
import { coreRequest } from './coreRequest.js';
import { rawPost } from './rawHttp.js';
import { faces, startHost } from './startHost.js';

const SECRET = 'abort-secret';
const graph = offlineGraph('offline');
const handler = (errors: WebhookError[]) => createWebhookHandler({
  appSecret: SECRET, verifyToken: 't', permissions: createCallPermissions({ graph, store: memoryStore(), clock: new VirtualClock() }),
  onError: (e) => errors.push(e),
});

/** The next request the handler's core takes (whichever face calls it): `started` when it is taken, then its answer. */
const nextAnswer = (webhook: WebhookHandler): { started: Promise<void>; answer: Promise<WebhookResponse> } => {
  const handle = webhook.core.handle.bind(webhook.core);
  let start: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    start = resolve;
  });
  const answer = new Promise<WebhookResponse>((resolve) => {
    webhook.core.handle = (req, options) => {
      const answered = handle(req, options);
      start();
      resolve(answered);
      return answered;
    };
  });
  return { started, answer };
};

/** Sends a head and part of a signed body, then hangs up as soon as the receiver is reading. */
const abortMidBody = (port: number, answer: Promise<WebhookResponse>, started: Promise<void>): Promise<WebhookResponse> => {
  const text = JSON.stringify({ object: 'page', entry: [] });
  const x = rawPost(port, {
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(SECRET, text) },
    declared: 4096, sent: new TextEncoder().encode(text),
  });
  void started.then(() => x.socket.destroy());
  return answer;
};

describe('a client that aborts mid-body', () => {
  it('is client_aborted in the core: no fault for onError', async () => {
    const errors: WebhookError[] = [];
    const { core } = handler(errors);
    const req = { ...coreRequest({ headers: { 'content-type': 'application/json' } }), readBody: () => Promise.resolve('aborted' as const) };
    const res = await core.handle(req);
    expect(res.reason).toBe('client_aborted');
    expect(errors).toEqual([]);
  });

  it.each(faces)('through the %s face is client_aborted, not an internal error', async (face) => {
    const errors: WebhookError[] = [];
    const webhook = handler(errors);
    const { started, answer } = nextAnswer(webhook);
    const host = await startHost(face, webhook);
    try {
      const res = await abortMidBody(Number(new URL(host.url).port), answer, started);
      expect(res.reason).toBe('client_aborted');
      expect(errors).toEqual([]);
    } finally {
      await host.close();
    }
  });

  it('gets nothing written on its dead socket by the node:http face', async () => {
    const errors: WebhookError[] = [];
    const webhook = handler(errors);
    const { started, answer } = nextAnswer(webhook);
    let response: ServerResponse | undefined;
    const server = createServer((req, res) => {
      response = res;
      webhook.node(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await abortMidBody((server.address() as AddressInfo).port, answer, started);
      await new Promise<void>((resolve) => setImmediate(resolve)); // the face writes (or not) right after the answer
      expect(res.reason).toBe('client_aborted');
      expect(response?.headersSent).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
