import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createCallPermissions, memoryStore } from '@callperm/core';
import { createWebhookHandler } from '@callperm/adapters/webhook';
import { VirtualClock, pageWebhook, permissionReplyEntry, signWebhook, offlineGraph } from '@callperm/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rawHeader, rawPost, type RawExchange } from './rawHttp.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const used = (): number => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const SECRET = 'stalled-secret';
const MiB = 1024 * 1024;
const STALLED = 200;
const PENDING = 16;
const TIMEOUT_MS = 200;
/** Each stalled client declares 1 MiB and sends half of it: 100 MiB if every body were buffered. */
const PART = new Uint8Array(MiB / 2).fill(0x20);
/** The stated bound: what 16 pending halves hold (8 MiB), plus sockets and parsers, with room for noise. */
const BOUND = 40 * MiB;

const graph = offlineGraph('offline');

afterEach(() => {
  vi.useRealTimers();
});

/** Counts what the server has read from each client port, so a test can wait until a body is in (an event, no polling). */
const readCounter = (server: Server, enough: number) => {
  const bytes = new Map<number, number>();
  const waiting = new Map<number, () => void>();
  server.on('connection', (s: Socket) => {
    const port = s.remotePort ?? -1;
    s.on('data', (d: Buffer) => {
      const total = (bytes.get(port) ?? 0) + d.length;
      bytes.set(port, total);
      if (total >= enough) waiting.get(port)?.();
    });
  });
  /** Resolves once the server has read `enough` bytes from the client at `port`. */
  return (port: number): Promise<void> => new Promise<void>((resolve) => {
    if ((bytes.get(port) ?? 0) >= enough) resolve();
    else waiting.set(port, resolve);
  });
};

describe('200 stalled unsigned connections', () => {
  it('hold memory within 40 MiB, the extra ones get 503 with Retry-After, all close after the body timeout, signed deliveries go through', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const clock = new VirtualClock(Date.UTC(2026, 0, 5, 9));
    const permissions = createCallPermissions({ graph, store: memoryStore(), clock });
    const webhook = createWebhookHandler({
      appSecret: SECRET, verifyToken: 't', permissions, bodyTimeoutMs: TIMEOUT_MS, maxPendingBodies: PENDING, maxBodyBytes: MiB,
    });
    const server = createServer(webhook.node);
    const readFrom = readCounter(server, PART.byteLength);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const signed = (psid: string) => {
      const text = JSON.stringify(pageWebhook([permissionReplyEntry({ pageId: '1', psid, at: clock.now(), response: 'reject' })]));
      const body = new TextEncoder().encode(text);
      return () => rawPost(port, {
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(SECRET, text), connection: 'close' },
        declared: body.byteLength, sent: body,
      });
    };
    const stalled = (): RawExchange & { readonly bodyIn: Promise<void> } => {
      const x = rawPost(port, {
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
        declared: MiB, sent: PART,
      });
      const bodyIn = new Promise<void>((resolve) => {
        x.socket.once('connect', () => resolve(readFrom(x.socket.localPort ?? -1)));
      });
      return { ...x, bodyIn };
    };

    try {
      const before = used();
      const flood: (RawExchange & { readonly bodyIn: Promise<void> })[] = [];
      for (let i = 0; i < 8; i += 1) flood.push(stalled());
      const alongside = signed('2001')(); // a genuine delivery while slots are free
      for (let i = 8; i < STALLED; i += 1) flood.push(stalled());
      // Each stalled connection is either answered or has had its half body read.
      await Promise.all(flood.map((x) => Promise.race([x.status, x.bodyIn])));
      const grown = used() - before;

      expect(await alongside.status).toBe(200);
      expect(grown).toBeLessThan(BOUND);
      const answered = await Promise.all(flood.map((x) => Promise.race([x.status, Promise.resolve(-1)])));
      expect(answered.filter((s) => s === 503)).toHaveLength(STALLED - PENDING);
      expect(answered.filter((s) => s === -1)).toHaveLength(PENDING);
      expect(webhook.core.pendingBodies).toBe(PENDING);

      // A genuine delivery while the gate is full is refused before its body is read, with Retry-After: Meta retries.
      const refused = signed('2002')();
      const refusedAnswer = await refused.closed;
      expect(refusedAnswer.startsWith('HTTP/1.1 503')).toBe(true);
      expect(rawHeader(refusedAnswer, 'retry-after')).toBe('1');
      for (const x of flood.filter((_, i) => answered[i] === 503)) {
        expect(rawHeader(await x.closed, 'retry-after')).toBe('1');
      }

      // The body timeout passes: every stalled body is dropped, answered 408, and its connection closed.
      vi.advanceTimersByTime(TIMEOUT_MS);
      const answers = await Promise.all(flood.map((x) => x.closed));
      expect(answers.filter((a) => a.startsWith('HTTP/1.1 408'))).toHaveLength(PENDING);
      expect(flood.every((x) => x.socket.destroyed)).toBe(true);
      expect(webhook.core.pendingBodies).toBe(0);

      // Meta's retry of the refused delivery now goes through.
      expect(await signed('2002')().status).toBe(200);
      expect(used() - before).toBeLessThan(BOUND);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await webhook.drain();
    }
  });
});
