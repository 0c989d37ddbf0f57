import { createWebhookCore } from '../../packages/adapters/src/webhook/createWebhookCore.js';
import type { WebhookRequest } from '../../packages/adapters/src/webhook/WebhookRequest.js';
import {
  createCallPermissions, messengerPolicy,
  type Clock, type PermissionStore,
} from '../../packages/core/src/internals.js';
import { APP_SECRET, type Delivery } from '../workload/deliveries.js';
import { benchAdmission } from '../baselines/handPipeline.js';
import { offlineGraph } from '../../packages/testing/src/offlineGraph.js';

const noGraph = offlineGraph('the pipeline bench makes no Graph call');

/** A delivery as a framework face hands it to the receiver core: POST /webhook with its headers and raw bytes. */
class DeliveryRequest implements WebhookRequest {
  readonly method = 'POST';
  readonly url = '/webhook';
  constructor(private readonly d: Delivery) {}
  header(name: string): string | undefined {
    switch (name) {
      case 'content-type': return 'application/json';
      case 'x-hub-signature-256': return this.d.signature;
      case 'content-length': return String(this.d.body.length);
      default: return undefined;
    }
  }
  readBody(): Promise<Uint8Array> {
    return Promise.resolve(this.d.body);
  }
}

const ROUTED = { routed: true } as const;

/** A pipeline under test: answers one delivery, throws unless it was acknowledged. */
export interface Pipeline {
  handle(d: Delivery): Promise<void>;
  close(): Promise<void>;
}

/**
 * The product's whole webhook path in process: the receiver's framework-neutral
 * core (signature over the raw bytes, JSON, io-ts decode, budget timer) calling
 * the service's `ingest` (dedupe, fastStep, compare-and-set) on `store`.
 *
 * @example
 * const p = productPipeline(memoryStore(), clock); await p.handle(delivery);
 */
export const productPipeline = (store: PermissionStore, clock: Clock): Pipeline => {
  const permissions = createCallPermissions({ graph: noGraph, store, clock, policy: messengerPolicy, admission: benchAdmission });
  const core = createWebhookCore({ appSecret: APP_SECRET, verifyToken: 'bench', permissions, budgetMs: 60_000 });
  return {
    async handle(d) {
      const req = new DeliveryRequest(d);
      const res = await core.handle(req, ROUTED);
      if (res.status !== 200) throw new Error(`the receiver refused a delivery: ${res.status} ${String(res.reason)}`);
    },
    async close() {
      await core.drain();
      await store.close();
    },
  };
};
