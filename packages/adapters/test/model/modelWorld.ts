import { createCallPermissions, type CallPermissions, type PermissionStore, type Thread } from '@callperm/core';
import { graphApi, type GraphApiClient } from '@callperm/adapters/graph';
import {
  VirtualClock, createFakeGraphApi, type FakeGraphApi, type FakeRequest, type PermissionCheckVariant,
} from '@callperm/testing';
import { HOUR, type MetaView, type RefThread, newRefThread } from './referenceModel.js';

/** A store for one run, and how to remove it afterwards. */
export interface OpenedStore {
  readonly store: PermissionStore;
  dispose(): Promise<void>;
}

/** The threads every run plays with: two on one Page, one on another. */
export const THREADS: readonly Thread[] = [
  { pageId: '7001', psid: '81' }, { pageId: '7001', psid: '82' }, { pageId: '7002', psid: '83' },
];

/** What one webhook delivery tells the model, item by item in body order. */
export type DeliveryItem =
  | { readonly kind: 'inbound'; readonly ti: number; readonly at: number }
  | { readonly kind: 'reply'; readonly ti: number; readonly at: number; readonly response: 'approve' | 'reject'; readonly expiresAt: number | null }
  | { readonly kind: 'call'; readonly ti: number; readonly callId: string; readonly part: 'connect' | 'end' };

/** One webhook delivery Meta has made or still owes: the body, and what it says. */
export interface Delivery {
  readonly seq: number;
  readonly createdAt: number;
  readonly body: unknown;
  readonly items: readonly DeliveryItem[];
}

/** A person's call as the model tracks it: which of its two webhook items reached the service. */
export interface ModelCall {
  readonly ti: number;
  readonly connectAt: number;
  readonly endAt: number;
  connectSeen: boolean;
  endSeen: boolean;
}

/** Counts over a whole suite, printed at its end. */
export interface SuiteTally {
  runs: number;
  commands: number;
  comparisons: number;
  unsure: number;
  sends: number;
  accepted: number;
  checks: number;
  sweepChecks: number;
  deliveries: number;
  duplicates: number;
  /** Implicit grants the model inferred from calls that reached the service whole. */
  grants: number;
  dropped: number;
  faults: Record<string, number>;
  /** What `request` answered, by reason (`sent` when Meta took the opt-in). */
  requests: Record<string, number>;
}

export const newTally = (): SuiteTally => ({
  runs: 0, commands: 0, comparisons: 0, unsure: 0, sends: 0, accepted: 0, checks: 0, sweepChecks: 0, deliveries: 0, duplicates: 0, grants: 0, dropped: 0, faults: {}, requests: {},
});

/** The model side of a run: the reference threads, and the webhooks Meta owes or sent (world bookkeeping). */
export interface Model {
  now: number;
  readonly start: number;
  readonly threads: RefThread[];
  pending: Delivery[];
  delivered: Delivery[];
  readonly calls: Map<string, ModelCall>;
  /** Threads Meta delivered an opt-in to (the person can answer). */
  readonly optedIn: Set<number>;
  /** Pages the service learned calling is off for, with when (until a recheck of the Page says it is on). */
  readonly pagesOff: Map<string, number>;
  seq: number;
  readonly tally: SuiteTally;
}

/** The real side of a run: the service over a store, the Graph client, the fake Meta and their shared clock. */
export interface World {
  readonly clock: VirtualClock;
  readonly fake: FakeGraphApi;
  readonly graph: GraphApiClient;
  readonly store: PermissionStore;
  readonly permissions: CallPermissions;
  close(): Promise<void>;
}

/** Meta's webhooks are retried for about an hour, then dropped (facts §7). */
export const META_RETRY_MS = HOUR;
const START = Date.UTC(2026, 2, 2, 9);

/**
 * Opens a world on a fresh store: a fake Meta on loopback, the real got client
 * (no retries within a call, and a 1 ms throttle backoff, so each injected fault
 * fails exactly one call and the next command, at least 2 s later, starts
 * unthrottled), and the service.
 */
export const openWorld = async (opened: OpenedStore, variant: PermissionCheckVariant): Promise<World> => {
  const clock = new VirtualClock(START);
  const fake = await createFakeGraphApi({ clock, variant });
  const graph = graphApi({
    accessToken: 'token', baseUrl: fake.url, clock, retry: { limit: 0 }, throttleFallbackMs: 1, throttleMaxMs: 1,
    // Every Graph failure is one the model injected: on a starved machine (the soak) a real-time timeout would be one it did not.
    timeouts: { lookup: 120_000, connect: 120_000, secureConnect: 120_000, send: 120_000, response: 120_000, request: 240_000 },
  });
  const permissions = createCallPermissions({ graph, store: opened.store, clock });
  return {
    clock, fake, graph, store: opened.store, permissions,
    close: async () => {
      graph.close();
      await fake.close();
      await opened.dispose();
    },
  };
};

export const newModel = (world: World, tally: SuiteTally): Model => ({
  now: world.clock.now(), start: world.clock.now(), threads: THREADS.map(newRefThread), pending: [], delivered: [], calls: new Map(),
  optedIn: new Set(), pagesOff: new Map(), seq: 0, tally,
});

/** What a permission check on `thread` answers now, read from the fake Meta's own book. */
export const metaView = (fake: FakeGraphApi, thread: Thread): MetaView => {
  const v = fake.threads.view(thread);
  return { hasPermission: v.hasPermission, expiresAt: v.expiresAt, canRequest: v.request.canPerform, used: v.request.used, max: v.request.window.max };
};

/** The index in {@link THREADS} a logged check or send was for, or -1. */
export const threadOfRequest = (r: FakeRequest): number => {
  const psid = r.endpoint === 'check' ? r.query.psid : recipientOf(r.body);
  return THREADS.findIndex((t) => t.pageId === r.pageId && t.psid === psid);
};

const recipientOf = (body: unknown): string | undefined => {
  if (typeof body !== 'object' || body === null || !('recipient' in body)) return undefined;
  const raw = body.recipient;
  const r = typeof raw === 'string' ? JSON.parse(raw) as unknown : raw;
  return typeof r === 'object' && r !== null && 'id' in r ? String(r.id) : undefined;
};

/**
 * Uses up a fault the command queued but the service never consumed (it made no
 * such call), with a raw request on a Page no run uses, so it cannot hit a later call.
 */
export const drainFault = async (fake: FakeGraphApi, endpoint: 'check' | 'send'): Promise<void> => {
  const base = `${fake.url}/${fake.apiVersion}/9999`;
  const signal = AbortSignal.timeout(10_000);
  const headers = { authorization: 'Bearer token', 'content-type': 'application/json' };
  const body = JSON.stringify({ recipient: { id: '1' }, message: { attachment: { type: 'template', payload: { template_type: 'calling_optin' } } } });
  const request = endpoint === 'check'
    ? fetch(`${base}/messenger_call_permissions?psid=1`, { headers, signal })
    : fetch(`${base}/messages`, { method: 'POST', headers, body, signal });
  await request.then((r) => r.arrayBuffer(), () => undefined);
};
