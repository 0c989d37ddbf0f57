import { createHmac } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Instant, Thread } from '@callperm/core';
import { VirtualClock } from '../VirtualClock.js';
import { answerBatch } from './answerBatch.js';
import { FakeGraphCore, optInRecipient, type FakeAnswer, type FakeOptIn } from './FakeGraphCore.js';
import { fakeMetaErrors, type MetaErrorBody } from './fakeMetaErrors.js';
import type { FakeInbound, FakeReply, FakeReplyInput } from './FakePersonEvent.js';
import { FakeRecords } from './FakeRecords.js';
import { refusalOf, type FakeSend } from './FakeSend.js';
import { FakeThreadBook, defaultFakeRules, type FakeRules } from './FakeThreadBook.js';
import { FakeThrottle, type FakeThrottleSpec } from './FakeThrottle.js';
import { FaultPlan, type FakeEndpoint, type FakeFault } from './FaultPlan.js';
import { readRequest, type FakeRequest } from './readRequest.js';
import type { PermissionCheckVariant } from './renderPermissionCheck.js';

/** How the fake behaves; every field is optional. */
export interface FakeGraphApiOptions {
  /** The clock shared with the test and the service (a new one by default). */
  readonly clock?: VirtualClock;
  /** The version the client is expected to use; any `vN.N` prefix is served. Default `v26.0`. */
  readonly apiVersion?: string;
  /** The permission-check response shape (default `flat`). */
  readonly variant?: PermissionCheckVariant;
  /** Require this token (or this token per Page id); absent = any non-empty token. */
  readonly accessTokens?: string | Readonly<Record<string, string>>;
  /** Answer Meta's 104 to a request that carries no token (default true). */
  readonly requireToken?: boolean;
  /** Pages whose calling is off from the start (`business_messaging_feature_status` says `disabled`). */
  readonly callingOff?: readonly string[];
  /** Require `appsecret_proof` = HMAC-SHA256(token, appSecret). */
  readonly appSecret?: string;
  readonly rules?: Partial<FakeRules>;
  /** The business id each Page reports in `X-Business-Use-Case-Usage` (default: the Page id). */
  readonly businessIds?: Readonly<Record<string, string>>;
  /** Called after each opt-in is recorded (for a consumer simulator). */
  readonly onOptIn?: (optIn: FakeOptIn) => void;
}

/** A running fake Graph API on loopback. */
export interface FakeGraphApi {
  /** The base URL to give the client (`http://127.0.0.1:<port>`). */
  readonly url: string;
  readonly apiVersion: string;
  readonly clock: VirtualClock;
  /** Every request received, in order. */
  readonly requests: readonly FakeRequest[];
  /** Every opt-in accepted, in order. */
  readonly optIns: readonly FakeOptIn[];
  /** Every opt-in send, accepted, refused or faulted, with its instant and outcome. */
  readonly sends: readonly FakeSend[];
  /** Every message the person wrote to the Page (`inbound`). */
  readonly inbounds: readonly FakeInbound[];
  /** Every Accept or Decline the person gave (`reply`). */
  readonly replies: readonly FakeReply[];
  /**
   * The `seq` of the latest send, message or reply recorded: note it before and
   * after an action to tell which records the action caused.
   */
  lastSeq(): number;
  /** Errors thrown by `onOptIn` listeners (they never break an answer). */
  readonly listenerErrors: readonly unknown[];
  readonly threads: FakeThreadBook;
  grant(thread: Thread, expiresAt?: Instant | null): void;
  revoke(thread: Thread): void;
  expire(thread: Thread): void;
  /** The person wrote to the Page (now, or at `at`): the window opens, and it is recorded. */
  inbound(thread: Thread, at?: Instant): void;
  /** The person answered an opt-in: recorded, and the permission granted or ended. */
  reply(thread: Thread, answer: FakeReplyInput): void;
  /** Opt-ins to this person are refused with 551/1545041 until marked available again. */
  markUnavailable(thread: Thread, unavailable?: boolean): void;
  /** Switches calling on or off for a Page: the feature status says so, and opt-ins are refused while off. */
  setPageCalling(pageId: string, enabled: boolean): void;
  connectCall(thread: Thread, at?: Instant): void;
  setVariant(variant: PermissionCheckVariant): void;
  inject(endpoint: FakeEndpoint, ...faults: readonly FakeFault[]): void;
  throttle(spec: FakeThrottleSpec): void;
  unthrottle(): void;
  onOptIn(listener: (optIn: FakeOptIn) => void): () => void;
  /** Stops the server and ends hanging requests; calling it again waits for the same close. */
  close(): Promise<void>;
}

/** Meta answers every call with an `x-fb-trace-id`; the fake's count up in this process. */
let traces = 0;

const write = (res: ServerResponse, a: FakeAnswer): void => {
  traces += 1;
  res.writeHead(a.status, { 'content-type': 'application/json; charset=UTF-8', 'x-fb-trace-id': `FakeTrace${traces}`, ...a.headers });
  res.end(JSON.stringify(a.body));
};

const field = (body: unknown, key: string): unknown =>
  typeof body === 'object' && body !== null && key in body ? (body as Record<string, unknown>)[key] : undefined;

/**
 * Starts a fake Graph API on `127.0.0.1:0` that behaves as the facts file says:
 * permission checks in every documented shape, opt-ins refused the way Meta
 * refuses them (calling off for the Page, person unavailable, outside the 24 h
 * window, the 2-per-24-h quota), the Page feature status, the batch endpoint,
 * token and `appsecret_proof` checks, throttling and fault injection, all on a
 * virtual clock shared with the test. It records every send with its outcome,
 * and the person's messages and replies, for checks from Meta's side.
 *
 * @example
 * const fake = await createFakeGraphApi({ clock });
 * const graph = graphApi({ accessToken: 'token', baseUrl: fake.url });
 * fake.inbound({ pageId: '1', psid: '2' });
 * await graph.sendPermissionRequest({ pageId: '1', psid: '2' });
 * fake.optIns.length; // 1
 * await fake.close();
 */
export const createFakeGraphApi = async (options: FakeGraphApiOptions = {}): Promise<FakeGraphApi> => {
  const clock = options.clock ?? new VirtualClock();
  const book = new FakeThreadBook(clock, { ...defaultFakeRules, ...options.rules });
  const throttle = new FakeThrottle(clock, (pageId) => options.businessIds?.[pageId] ?? pageId);
  const faults = new FaultPlan();
  const requests: FakeRequest[] = [];
  const records = new FakeRecords();
  const { optIns } = records;
  for (const pageId of options.callingOff ?? []) book.setPageCalling(pageId, false);
  const listenerErrors: unknown[] = [];
  const listeners = new Set<(o: FakeOptIn) => void>(options.onOptIn ? [options.onOptIn] : []);
  const timers = new Set<NodeJS.Timeout>();
  let variant = options.variant ?? 'flat';
  const core = new FakeGraphCore({
    book, throttle, accessTokens: options.accessTokens, requireToken: options.requireToken, variant: () => variant,
    optInRecorded: (o) => {
      optIns.push(o);
      for (const l of listeners) {
        try {
          l(o);
        } catch (e) {
          listenerErrors.push(e);
        }
      }
    },
  });

  const answerOf = (r: FakeRequest, nullLast: number): FakeAnswer => {
    if (options.appSecret !== undefined) {
      const proof = r.query.appsecret_proof ?? field(r.body, 'appsecret_proof');
      const want = createHmac('sha256', options.appSecret).update(r.token ?? '').digest('hex');
      if (proof !== want) return { status: 400, body: fakeMetaErrors.invalidProof, headers: {} };
    }
    const body = typeof r.body === 'object' && r.body !== null ? (r.body as Record<string, unknown>) : {};
    switch (r.endpoint) {
      case 'check':
        return core.check(r.pageId ?? '', r.query.psid, r.token);
      case 'send':
        return core.send(r.pageId ?? '', body, r.token);
      case 'feature_status':
        return core.featureStatus(r.pageId ?? '', body, r.token, variant === 'uppercase' || variant === 'data');
      case 'batch': {
        const raw = body.batch;
        const flag = body.include_headers ?? r.query.include_headers;
        const includeHeaders = flag !== false && flag !== 'false';
        return answerBatch(core, typeof raw === 'string' ? JSON.parse(raw) as unknown : raw, r.token, { includeHeaders, nullLast });
      }
      case 'unknown':
        return { status: 400, body: fakeMetaErrors.unknownPath, headers: {} };
    }
  };

  /** A send refused or faulted before Meta decided anything itself. */
  const sendRecord = (r: FakeRequest, error: MetaErrorBody | undefined): Omit<FakeSend, 'seq' | 'fault'> => {
    const base = { at: clock.now(), pageId: r.pageId ?? '', psid: optInRecipient(r.body) };
    if (error === undefined) return { ...base, outcome: 'fault' };
    const { code, error_subcode: subcode } = error.error;
    return { ...base, outcome: 'refused', refusal: refusalOf(error), code, ...(subcode === undefined ? {} : { subcode }) };
  };

  /** Answers a request, and records what Meta did with an opt-in send. */
  const answer = (r: FakeRequest, nullLast = 0, fault?: FakeFault['kind']): FakeAnswer => {
    const a = answerOf(r, nullLast);
    if (r.endpoint === 'send') records.send('outcome' in a ? (a as { outcome: Omit<FakeSend, 'seq' | 'fault'> }).outcome : sendRecord(r, a.body as MetaErrorBody), fault);
    return a;
  };

  const respond = (res: ServerResponse, r: FakeRequest): void => {
    const fault = r.endpoint === 'unknown' ? undefined : faults.next(r.endpoint);
    if (fault === undefined) return write(res, answer(r));
    if (fault.kind === 'nulls') return write(res, answer(r, fault.count, fault.kind));
    if (fault.kind === 'delay') {
      const t = setTimeout(() => {
        timers.delete(t);
        write(res, answer(r, 0, fault.kind));
      }, fault.ms);
      timers.add(t);
      return;
    }
    if (fault.kind === 'error') {
      if (r.endpoint === 'send') records.send(sendRecord(r, fault.body), fault.kind);
      return write(res, { status: fault.status ?? 400, body: fault.body, headers: {} });
    }
    if (fault.after === true) answer(r, 0, fault.kind); // do the work, then fail as asked
    else if (r.endpoint === 'send') records.send(sendRecord(r, undefined), fault.kind);
    switch (fault.kind) {
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'text/html' });
        return void res.end(fault.body ?? '<html><body>Service Unavailable</body></html>');
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
        return void res.end('{"permission": {"status": "has_perm');
      case 'reset':
        return void res.socket?.destroy();
      case 'hang':
        return; // never answered; close() ends the connection
    }
  };

  let closing: Promise<void> | undefined;
  const server = createServer((req, res) => {
    void readRequest(req, clock.now()).then((r) => {
      requests.push(r);
      try {
        respond(res, r);
      } catch {
        if (!res.headersSent) write(res, { status: 400, body: fakeMetaErrors.invalidParameter, headers: {} });
      }
    }, () => res.socket?.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiVersion: options.apiVersion ?? 'v26.0',
    clock, requests, optIns, sends: records.sends, inbounds: records.inbounds, replies: records.replies, listenerErrors, threads: book,
    grant: (t, expiresAt) => book.grant(t, expiresAt),
    revoke: (t) => book.revoke(t),
    expire: (t) => book.expire(t),
    inbound: (t, at = clock.now()) => {
      book.inbound(t, at);
      records.inbound(t, at);
    },
    reply: (t, a) => {
      const at = a.at ?? clock.now();
      if (a.response === 'approve') book.grant(t, a.expiresAt);
      else book.revoke(t);
      records.reply(t, at, a.response, a.optInMessageId ?? null);
    },
    lastSeq: () => records.lastSeq,
    markUnavailable: (t, unavailable) => book.markUnavailable(t, unavailable),
    setPageCalling: (pageId, enabled) => book.setPageCalling(pageId, enabled),
    connectCall: (t, at) => book.connectCall(t, at),
    setVariant: (v) => { variant = v; },
    inject: (endpoint, ...f) => faults.inject(endpoint, ...f),
    throttle: (spec) => throttle.start(spec),
    unthrottle: () => throttle.clear(),
    onOptIn: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close: () => {
      closing ??= (async () => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
      })();
      return closing;
    },
  };
};
