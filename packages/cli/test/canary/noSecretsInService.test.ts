import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createCallPermissions, type Thread } from '@callperm/core';
import { channelGraphApi, graphApi, whatsappGraphApi, type GraphLogEntry } from '@callperm/adapters/graph';
import { createWebhookHandler, type WebhookError } from '@callperm/adapters/webhook';
import { consumers, createConsumerSimulator, createFakeGraphApi, pageWebhook, signWebhook, VirtualClock } from '@callperm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/openStore.js';
import { parseStoreSpec } from '../../src/store/parseStoreSpec.js';
import { scratchDir } from '../support/captureIo.js';
import { REDIS_URL, serverReachable } from '../support/reachable.js';
import { CANARY, errorTexts, expectNoCanary, jsonLineLogger, safeJson } from './support/canaryScan.js';
import { canaryNamespaces, echoingFaults, postgresUrl } from './support/canaryWorld.js';
import { recordingStore } from './support/recordingStore.js';
import { dumpPostgres, dumpRedis, dumpSqlite, type StoreDump } from './support/storeDumps.js';

const [postgresUp, redisUp] = await Promise.all([serverReachable('postgres'), serverReachable('redis')]);

/**
 * Issue 14, item 6, the service's surfaces: a canary Page token (Meta-shaped and
 * not), WhatsApp token, app secret and store password, against a fake Meta that
 * echoes them back, on SQLite, Redis and PostgreSQL. Scanned: the Graph client's
 * log, the pino-style logger of the service and the receiver, Graph failures and
 * receiver errors, results and transition notices, the consent history, what the
 * service handed its store (inbox slots deleted again included) and what each
 * driver keeps (raw SQLite pages and WAL, Redis values, PostgreSQL rows). None may
 * hold a canary, raw, percent-encoded, base64 or hex (see `canaryScan`).
 */
const { namespace, setUp, tearDown } = canaryNamespaces('canarysvc', { postgres: postgresUp, redis: redisUp });
const WA_NUMBER = '1065';
const OFFER = { sdp: 'v=0\r\no=callperm 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n' };
const { pageToken: TOKEN, plainToken: PLAIN_TOKEN, whatsappToken: WA_TOKEN, appSecret: SECRET, password: PASSWORD } = CANARY;
const scratch = scratchDir();
beforeAll(setUp);
afterAll(async () => {
  scratch.cleanup();
  await tearDown();
});

/** The stores the service runs on, each with how to read back everything its driver keeps. */
const serviceStores: readonly { name: string; up: boolean; spec: () => string; dump: () => Promise<StoreDump> }[] = [
  { name: 'sqlite', up: true, spec: () => `sqlite:${join(scratch.dir, 'service.sqlite')}`, dump: () => dumpSqlite(join(scratch.dir, 'service.sqlite')) },
  { name: 'redis', up: redisUp, spec: () => `${REDIS_URL}#${namespace}_svc`, dump: () => dumpRedis(`${namespace}_svc`) },
  { name: 'postgres', up: postgresUp, spec: () => postgresUrl(`${namespace}_svc`), dump: () => dumpPostgres(`${namespace}_svc`) },
];

describe('canary: no secret comes out of the service, its logs or its store', () => {
  for (const s of serviceStores) {
    it.runIf(s.up)(`${s.name}: Messenger and WhatsApp threads, replies, calls, Page checks and sweeps against a fake Meta echoing the secrets`, async () => {
      const clock = new VirtualClock(Date.UTC(2026, 5, 1, 9));
      const fake = await createFakeGraphApi({
        clock, appSecret: SECRET, accessTokens: { 501: TOKEN, 502: PLAIN_TOKEN, [WA_NUMBER]: WA_TOKEN }, whatsappNumbers: [WA_NUMBER],
      });
      const texts: string[] = [];
      const logLines: string[] = [];
      const stored: string[] = [];
      const log = (e: GraphLogEntry): void => { logLines.push(JSON.stringify(e)); };
      const logger = jsonLineLogger(logLines);
      const tokenOf = (pageId: string): string => (pageId === '501' ? TOKEN : PLAIN_TOKEN);
      const client = { appSecret: SECRET, baseUrl: fake.url, clock, timeouts: { response: 300 }, retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 2 }, log };
      const messenger = graphApi({ ...client, accessToken: tokenOf });
      const whatsapp = whatsappGraphApi({ ...client, accessTokens: { [WA_NUMBER]: WA_TOKEN } });
      const graph = channelGraphApi({ messenger, whatsapp, whatsappNumbers: new Set([WA_NUMBER]) });
      const opened = await openStore(parseStoreSpec(s.spec(), scratch.dir));
      texts.push(opened.label);
      const permissions = createCallPermissions({
        graph, store: recordingStore(opened.store, stored), clock, logger, onTransition: (n) => texts.push(safeJson(n)),
      });
      const webhookErrors: WebhookError[] = [];
      // Budget 0: every delivery goes through the inbox (a side document written, then deleted).
      const webhook = createWebhookHandler({ appSecret: SECRET, verifyToken: CANARY.verifyToken, permissions, logger, budgetMs: 0, onError: (e) => webhookErrors.push(e) });
      const server = createServer(webhook.node);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const hostUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
      const sim = createConsumerSimulator({ fake, hostUrl, appSecret: SECRET, behaviour: consumers.approveAfter(30_000) });
      // Three threads meet Meta's echoing failures; two (one on WhatsApp) are asked cleanly, approve, and get called.
      const faulted: Thread[] = [{ pageId: '501', psid: '1001' }, { pageId: '502', psid: '1002' }, { pageId: '501', psid: '1003' }];
      const clean: Thread[] = [{ pageId: '502', psid: '1004' }, { channel: 'whatsapp', pageId: WA_NUMBER, psid: '4915112345678' }];
      const threads = [...faulted, ...clean];
      const failureTexts = (r: { ok: boolean; error?: unknown }): string[] =>
        [safeJson(r), ...(r.ok ? [] : errorTexts((r.error as { failure?: unknown } | undefined)?.failure))];
      try {
        for (const t of threads) sim.message(t);
        await sim.settle();
        for (const [i, t] of faulted.entries()) {
          const faults = echoingFaults(tokenOf(t.pageId));
          fake.inject(i % 2 === 0 ? 'send' : 'check', faults[(2 * i) % faults.length]!, faults[(2 * i + 1) % faults.length]!);
          texts.push(...failureTexts(await permissions.request(t)), ...failureTexts(await permissions.refresh(t)));
          texts.push(...failureTexts(await permissions.request(t)));
        }
        // The clean threads keep asking (past every throttle the echoes caused, through faults left queued) until Meta has their opt-in.
        const optedIn = (t: Thread): boolean => fake.optIns.some((o) => o.thread.pageId === t.pageId && o.thread.psid === t.psid);
        for (let round = 0; round < 8 && !clean.every(optedIn); round += 1) {
          clock.advance('PT1H');
          texts.push(safeJson(await permissions.sweep()));
          for (const t of clean.filter((c) => !optedIn(c))) texts.push(...failureTexts(await permissions.request(t)));
        }
        clock.advance(60_000);
        await sim.settle();
        // Calls: a placed one (a connect failing with an echo first), and a person's call the host misses (an implicit grant).
        fake.inject('connect', echoingFaults(TOKEN)[0]!);
        for (const t of threads) texts.push(...failureTexts(await permissions.startCall(t, OFFER)), ...failureTexts(await permissions.startCall(t, OFFER)));
        sim.placeCall(threads[2]!, { hostAnswers: false });
        clock.advance(120_000);
        await sim.settle();
        // Page facts, with the settings read echoing the secrets once.
        fake.inject('call_settings', echoingFaults(TOKEN)[2]!);
        for (const page of ['501', '502', WA_NUMBER]) texts.push(safeJson(await permissions.pageStatus(page)), safeJson(await permissions.refreshPage(page)));
        // Forged deliveries: unsigned, signed with another secret, a "signature" that is the secret, a body quoting every canary.
        const body = JSON.stringify(pageWebhook([{ id: '501', time: clock.now(), messaging: [{ sender: { id: SECRET }, recipient: { id: '501' }, timestamp: clock.now(), message: { mid: PASSWORD, text: `${TOKEN} ${WA_TOKEN}` } }] }]));
        for (const signature of [undefined, signWebhook('not-the-secret', body), `sha256=${SECRET}`, 'sha256=zz']) {
          const r = await fetch(hostUrl, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }) } });
          texts.push(String(r.status), JSON.stringify([...r.headers]), await r.text());
        }
        for (const token of [CANARY.verifyToken, 'wrong']) {
          const hello = await fetch(`${hostUrl}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=${encodeURIComponent(SECRET.slice(0, 8))}`);
          texts.push(String(hello.status), await hello.text());
        }
        // Sweeps with the follow-up checks failing (backoff documents), then succeeding.
        clock.advance('P1D');
        for (const f of echoingFaults(TOKEN)) fake.inject('check', f);
        for (let i = 0; i < 3; i += 1) {
          texts.push(safeJson(await permissions.sweep({ onError: (_t, e) => texts.push(...errorTexts(e)), onInboxError: (_k, e) => texts.push(...errorTexts(e)) })));
          clock.advance('PT1H');
        }
        for (const t of threads) {
          texts.push(safeJson(await permissions.status(t)), safeJson(await permissions.history(t)), safeJson(await opened.store.history(t)));
        }
        texts.push(safeJson(await permissions.inboxAside.list()));
        await webhook.drain();
        // The run did go through failures, retries, calls, replies and documents: a scan of nothing proves nothing.
        expect(logLines.some((l) => l.includes('"event":"retry"'))).toBe(true);
        expect(fake.optIns.length).toBeGreaterThanOrEqual(clean.length);
        expect(fake.connects.length).toBeGreaterThan(0);
        for (const call of ['putDoc', 'commitThread', 'deleteDoc']) expect(stored.some((t) => t.includes(`"call":"${call}"`)), call).toBe(true);
        const dump = await s.dump();
        expect(dump.rows).toBeGreaterThan(threads.length);
        expectNoCanary('logs (Graph client log, service and receiver logger)', logLines);
        expectNoCanary('webhook errors', webhookErrors.flatMap((e) => errorTexts(e)));
        expectNoCanary('results, failures, notices, statuses and consent history', texts);
        expectNoCanary('what the service handed the store', stored);
        expectNoCanary(`what the ${s.name} driver keeps`, [dump.text]);
      } finally {
        sim.close();
        await new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
        await webhook.drain();
        messenger.close();
        whatsapp.close();
        await opened.close();
        await fake.close();
      }
    });
  }
});
