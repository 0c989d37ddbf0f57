import { offlineGraph } from '../offlineGraph.js';
import {
  createCallPermissions, err, ok,
  type GraphApi, type HistoryEntry, type PermissionStore, type RemotePermission, type WebhookEvent,
} from '@callperm/core';
import assert from 'node:assert/strict';
import { VirtualClock } from '../VirtualClock.js';
import type { ConformanceCase, ConformanceContext } from './ConformanceContext.js';

const DAY = 86_400_000;

/** A Graph API in this process: opt-ins answer `m_<n>`, checks answer what `remote` holds, with a trace id. */
const scriptedGraph = (remote: () => RemotePermission | null): GraphApi => {
  let sent = 0;
  return {
    ...offlineGraph('the consent-trail checks place no calls'),
    sendPermissionRequest: () => Promise.resolve(ok({ messageId: `m_${(sent += 1)}` })),
    checkPermission: () => {
      const r = remote();
      return Promise.resolve(r === null ? err({ kind: 'transient', processed: 'no', message: 'offline' }) : ok(r));
    },
    checkPageCalling: () => Promise.resolve(ok({ enabled: true, status: 'enabled' })),
  };
};

/** What a trail entry says, in one comparable line. */
const line = (e: HistoryEntry): string => {
  const s = e.source;
  const from = s.kind === 'webhook' ? `webhook ${s.eventId}${s.optInMessageId === null ? '' : ` answers ${s.optInMessageId}`}`
    : s.kind === 'opt_in' ? `opt_in ${s.messageId ?? 'reserved'}`
      : s.kind === 'remote_check' ? `check ${s.fbtraceId ?? '-'}`
        : s.kind === 'call' ? `call ${s.callId} ${s.cause}` : s.kind;
  return `${e.event} ${e.from ?? '?'}->${e.to} by ${from}`;
};

/**
 * The consent trail through the real service on this store: a person writes, a
 * check is taken and an opt-in sent and approved, the permission expires, a connected call grants
 * it again (provisionally) and a remote check confirms it. `history` returns
 * every step that changed the permission with its source, newest first, and the
 * expiry each left; the message that only opened the window is not in it.
 *
 * @example
 * for (const c of consentTrailChecks(ctx)) test(c.name, c.body);
 */
export const consentTrailChecks = <S extends PermissionStore>(ctx: ConformanceContext<S>): ConformanceCase[] => [
  {
    name: 'consent trail: approve, expiry and an implicit grant, each with its source, through the service',
    body: () => ctx.withStore(async (store) => {
      const clock = new VirtualClock();
      const t0 = clock.now();
      const thread = ctx.freshThread();
      // Before the opt-in, Meta has no permission and a request may go (the check `request` takes first).
      let remote: RemotePermission | null = {
        status: 'no_permission', rawStatus: 'no_permission', expiresAt: null,
        request: { canPerform: true, limits: [{ period: 'PT24H', max: 2, used: 0 }] }, startCall: null, fbtraceId: 'AbFirst',
      };
      const permissions = createCallPermissions({ graph: scriptedGraph(() => remote), store, clock });
      const at = (ms: number): number => t0 + ms;
      const ingest = (e: WebhookEvent) => permissions.ingest([e]);

      await ingest({ kind: 'inbound_message', id: 'mid.1', at: at(0), thread });
      clock.advance(1000);
      assert.equal((await permissions.request(thread)).ok, true);
      clock.advance(60_000);
      await ingest({ kind: 'permission_reply', id: 'cpr.1', at: at(61_000), thread, response: 'approve', expiresAt: at(7 * DAY) });
      clock.set(at(7 * DAY + 1));
      assert.equal((await permissions.sweep()).expired, 1);
      clock.advance(DAY);
      const callAt = clock.now();
      const call = { kind: 'call' as const, pageId: thread.pageId, psid: thread.psid, callId: 'c_9', direction: 'business_initiated' as const };
      await permissions.ingest([
        { ...call, id: 'call.1', at: callAt, event: 'connect', callStatus: null, terminateStatus: null, durationSec: null },
        { ...call, id: 'call.2', at: callAt + 90_000, event: 'terminate', callStatus: null, terminateStatus: 'completed', durationSec: 90 },
      ]);
      clock.advance(120_000);
      remote = {
        status: 'has_permission', rawStatus: 'has_permission', expiresAt: callAt + 7 * DAY,
        request: null, startCall: { canPerform: true, limits: [] }, fbtraceId: 'AbCtrace',
      };
      assert.equal((await permissions.refresh(thread)).ok, true);

      const trail = await permissions.history(thread);
      assert.deepEqual(trail.map(line).reverse(), [
        'REMOTE_SYNC none->none by check AbFirst',
        'REQUEST none->requested by opt_in reserved',
        'REQUEST_SENT requested->requested by opt_in m_1',
        'REPLY_APPROVE requested->approved by webhook cpr.1 answers m_1',
        'TICK approved->expired by host',
        'CALL_CONNECTED expired->approved by call c_9 connected_call',
        'REMOTE_SYNC approved->approved by check AbCtrace',
      ]);
      const [confirmed, implied, expired, approved] = trail;
      assert.equal(approved?.expiresAt, at(7 * DAY));
      assert.equal(expired?.expiresAt, at(7 * DAY), 'the expired step names when the permission ended');
      assert.equal(implied?.provisional, true);
      assert.equal(confirmed?.provisional, false);
      assert.equal(confirmed?.expiresAt, callAt + 7 * DAY);
      assert.equal(confirmed?.reason, null, 'a call may start');
      assert.deepEqual(await permissions.history(thread, { before: implied.at, limit: 1 }), [expired]);
    }),
  },
];
