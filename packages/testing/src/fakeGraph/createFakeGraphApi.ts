import { createHmac } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VirtualClock } from '../VirtualClock.js';
import { answerBatch } from './answerBatch.js';
import type { FakeCall, FakeCallEnd } from './FakeCall.js';
import { FakeCallBook } from './FakeCallBook.js';
import { FakeCallDesk, connectRecipient, type FakeConnectAnswer } from './FakeCallDesk.js';
import { connectRefusalOf, type FakeConnect } from './FakeConnect.js';
import type { FakeGraphApi, FakeGraphApiOptions } from './FakeGraphApi.js';
import { FakeGraphCore, optInRecipient, type FakeAnswer, type FakeOptIn } from './FakeGraphCore.js';
import { fakeMetaErrors, type MetaErrorBody } from './fakeMetaErrors.js';
import { FakeRecords } from './FakeRecords.js';
import { refusalOf, type FakeSend } from './FakeSend.js';
import { FakeThreadBook, defaultFakeRules } from './FakeThreadBook.js';
import { FakeThrottle } from './FakeThrottle.js';
import { FakeWhatsAppDesk, defaultFakeWhatsAppRules, whatsappRecipient, whatsappThread } from './FakeWhatsAppDesk.js';
import { FaultPlan, type FakeFault } from './FaultPlan.js';
import { readRequest, type FakeRequest } from './readRequest.js';

export type { FakeGraphApi, FakeGraphApiOptions } from './FakeGraphApi.js';

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
 * calls (`POST /{page-id}/calls` connect, terminate, accept, reject, refused like
 * Meta: Page not allowed, audio off, no permission, the connected-call quota) and
 * the Page's call settings, token and `appsecret_proof` checks, throttling and
 * fault injection, all on a virtual clock shared with the test. It records every
 * send and connect with its outcome, every call's end, and the person's messages
 * and replies, for checks from Meta's side. Ids in `whatsappNumbers` are WhatsApp
 * business phone numbers: `call_permissions`, the interactive
 * `call_permission_request` and `calls` connect, refused with WhatsApp's codes
 * (131047, 138006, 138009, 138012, 138017), on threads apart from Messenger's.
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
  const book = new FakeThreadBook(clock, { ...defaultFakeRules, ...options.rules }, options.callQuota);
  const throttle = new FakeThrottle(clock, (pageId) => options.businessIds?.[pageId] ?? pageId);
  const faults = new FaultPlan();
  const requests: FakeRequest[] = [];
  const records = new FakeRecords();
  const { optIns } = records;
  for (const pageId of options.callingOff ?? []) book.setPageCalling(pageId, false);
  for (const [pageId, settings] of Object.entries(options.callSettings ?? {})) book.setCallSettings(pageId, settings);
  const listenerErrors: unknown[] = [];
  const listeners = new Set<(o: FakeOptIn) => void>(options.onOptIn ? [options.onOptIn] : []);
  const connectListeners = new Set<(c: FakeCall) => void>(options.onConnect ? [options.onConnect] : []);
  const endListeners = new Set<(e: FakeCallEnd) => void>();
  const answerListeners = new Set<(c: FakeCall) => void>();
  const notify = <T>(set: ReadonlySet<(v: T) => void>, value: T): void => {
    for (const l of set) {
      try {
        l(value);
      } catch (e) {
        listenerErrors.push(e);
      }
    }
  };
  const whatsappNumbers = new Set(options.whatsappNumbers ?? []);
  const isWhatsApp = (pageId: string | undefined): boolean => pageId !== undefined && whatsappNumbers.has(pageId);
  /** The WhatsApp desk, once built: it hears every call that connects (its request limits reset). */
  const late: { whatsapp?: FakeWhatsAppDesk } = {};
  const calls = new FakeCallBook(clock, (end) => notify(endListeners, records.callEnd(end)), (c) => {
    late.whatsapp?.callConnected(c);
    notify(answerListeners, c);
  });
  const timers = new Set<NodeJS.Timeout>();
  let variant = options.variant ?? 'flat';
  const core = new FakeGraphCore({
    book, throttle, accessTokens: options.accessTokens, requireToken: options.requireToken, variant: () => variant,
    startCallLimits: options.startCallLimits,
    optInRecorded: (o) => {
      optIns.push(o);
      notify(listeners, o);
    },
  });
  const desk = new FakeCallDesk({ core, book, calls });
  const wa = new FakeWhatsAppDesk({
    core, book, calls, rules: { ...defaultFakeWhatsAppRules, ...options.whatsappRules },
    requestRecorded: (o) => {
      optIns.push(o);
      notify(listeners, o);
    },
  });
  late.whatsapp = wa;

  const answerOf = (r: FakeRequest, nullLast: number): FakeAnswer => {
    if (options.appSecret !== undefined) {
      const proof = r.query.appsecret_proof ?? field(r.body, 'appsecret_proof');
      const want = createHmac('sha256', options.appSecret).update(r.token ?? '').digest('hex');
      if (proof !== want) return { status: 400, body: fakeMetaErrors.invalidProof, headers: {} };
    }
    const body = typeof r.body === 'object' && r.body !== null ? (r.body as Record<string, unknown>) : {};
    if (isWhatsApp(r.pageId)) {
      const pageId = r.pageId ?? '';
      switch (r.endpoint) {
        case 'check':
          return wa.check(pageId, r.query, r.token);
        case 'send':
          return wa.send(pageId, body, r.token);
        case 'connect':
          return wa.connect(pageId, body, r.token);
        case 'call_action':
          return desk.act(pageId, body, r.token);
        default:
          return { status: 400, body: fakeMetaErrors.unknownPath, headers: {} };
      }
    }
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
      case 'connect':
        return desk.connect(r.pageId ?? '', body, r.token);
      case 'call_action':
        return desk.act(r.pageId ?? '', body, r.token);
      case 'call_settings':
        return desk.settings(r.pageId ?? '', r.token);
      case 'unknown':
        return { status: 400, body: fakeMetaErrors.unknownPath, headers: {} };
    }
  };

  /** A send refused or faulted before Meta decided anything itself. */
  const sendRecord = (r: FakeRequest, error: MetaErrorBody | undefined): Omit<FakeSend, 'seq' | 'fault'> => {
    const base = isWhatsApp(r.pageId)
      ? { at: clock.now(), pageId: r.pageId ?? '', psid: whatsappRecipient(r.body), channel: 'whatsapp' as const }
      : { at: clock.now(), pageId: r.pageId ?? '', psid: optInRecipient(r.body) };
    if (error === undefined) return { ...base, outcome: 'fault' };
    const { code, error_subcode: subcode } = error.error;
    return { ...base, outcome: 'refused', refusal: refusalOf(error), code, ...(subcode === undefined ? {} : { subcode }) };
  };

  /** A connect refused or faulted before Meta decided anything itself, with the facts at this instant. */
  const connectRecord = (r: FakeRequest, error: MetaErrorBody | undefined): Omit<FakeConnect, 'seq' | 'fault'> => {
    const pageId = r.pageId ?? '';
    let base: Omit<FakeConnect, 'seq' | 'fault' | 'outcome'>;
    if (isWhatsApp(r.pageId)) {
      const waId = whatsappRecipient(r.body);
      const thread = waId === undefined ? null : whatsappThread(pageId, waId);
      base = { at: clock.now(), pageId, thread, ...wa.facts(thread), channel: 'whatsapp' };
    } else {
      const psid = connectRecipient(r.body);
      base = { at: clock.now(), pageId, thread: psid === undefined ? null : { pageId, psid }, ...desk.facts(pageId, psid) };
    }
    if (error === undefined) return { ...base, outcome: 'fault' };
    const { code, error_subcode: subcode } = error.error;
    return { ...base, outcome: connectRefusalOf(error), code, ...(subcode === undefined ? {} : { subcode }) };
  };

  /** Records a send or connect that an injected fault kept from Meta (`error`: the error it answered). */
  const unprocessed = (r: FakeRequest, fault: FakeFault['kind'], error?: MetaErrorBody): void => {
    if (r.endpoint === 'send') records.send(sendRecord(r, error), fault);
    else if (r.endpoint === 'connect') records.connect(connectRecord(r, error), fault);
  };

  /** Answers a request, and records what Meta did with an opt-in send or a connect. */
  const answer = (r: FakeRequest, nullLast = 0, fault?: FakeFault['kind']): FakeAnswer => {
    const a = answerOf(r, nullLast);
    if (r.endpoint === 'send') records.send('outcome' in a ? (a as { outcome: Omit<FakeSend, 'seq' | 'fault'> }).outcome : sendRecord(r, a.body as MetaErrorBody), fault);
    if (r.endpoint === 'connect') {
      const c = 'connect' in a ? (a as FakeConnectAnswer) : undefined;
      records.connect(c?.connect ?? connectRecord(r, a.body as MetaErrorBody), fault);
      if (c?.call !== undefined) notify(connectListeners, c.call);
    }
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
      unprocessed(r, fault.kind, fault.body);
      return write(res, { status: fault.status ?? 400, body: fault.body, headers: {} });
    }
    if (fault.after === true) answer(r, 0, fault.kind); // do the work, then fail as asked
    else unprocessed(r, fault.kind);
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
    void readRequest(req, clock.now(), whatsappNumbers).then((r) => {
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
    clock, requests, optIns, whatsappNumbers: [...whatsappNumbers], whatsapp: wa, sends: records.sends, inbounds: records.inbounds, replies: records.replies, listenerErrors, threads: book,
    connects: records.connects, callEnds: records.callEnds,
    get calls() {
      return calls.all;
    },
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
    setCallSettings: (pageId, settings) => book.setCallSettings(pageId, settings),
    connectCall: (t, at) => book.connectCall(t, at),
    call: (callId) => calls.get(callId),
    incomingCall: (t, o = {}) => calls.open(t, 'user_initiated', o.at ?? clock.now(), o.callId),
    answerCall: (callId, at = clock.now()) => calls.answer(callId, at),
    endCall: (callId, cause, at = clock.now()) => (calls.end(callId, at, cause) ? records.callEnds.at(-1) : undefined),
    setVariant: (v) => { variant = v; },
    inject: (endpoint, ...f) => faults.inject(endpoint, ...f),
    throttle: (spec) => throttle.start(spec),
    unthrottle: () => throttle.clear(),
    onOptIn: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onConnect: (l) => {
      connectListeners.add(l);
      return () => connectListeners.delete(l);
    },
    onCallAnswer: (l) => {
      answerListeners.add(l);
      return () => answerListeners.delete(l);
    },
    onCallEnd: (l) => {
      endListeners.add(l);
      return () => endListeners.delete(l);
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
