import type { Instant, Thread } from '@callperm/core';
import type { FakeCallEnd } from './FakeCall.js';
import type { FakeConnect } from './FakeConnect.js';
import type { FakeOptIn } from './FakeGraphCore.js';
import type { FakeInbound, FakeReply } from './FakePersonEvent.js';
import type { FakeSend } from './FakeSend.js';
import type { FakeFault } from './FaultPlan.js';

/**
 * Meta's side of a run, as the fake recorded it: every opt-in send with its
 * outcome, the opt-ins accepted, the person's messages and replies, every connect
 * with its outcome and the facts at that instant, and every call's end, each with its
 * virtual instant and one shared order (`seq`), so invariants can be checked from
 * Meta's records alone.
 *
 * @example
 * const records = new FakeRecords();
 * records.inbound(thread, clock.now());
 * records.inbounds[0]!.seq; // 1
 */
export class FakeRecords {
  readonly sends: FakeSend[] = [];
  readonly optIns: FakeOptIn[] = [];
  readonly inbounds: FakeInbound[] = [];
  readonly replies: FakeReply[] = [];
  readonly connects: FakeConnect[] = [];
  readonly callEnds: FakeCallEnd[] = [];
  #seq = 0;

  /** The order number of the latest record (0 before any). */
  get lastSeq(): number {
    return this.#seq;
  }

  send(outcome: Omit<FakeSend, 'seq' | 'fault'>, fault?: FakeFault['kind']): FakeSend {
    const s: FakeSend = { seq: ++this.#seq, ...outcome, ...(fault === undefined ? {} : { fault }) };
    this.sends.push(s);
    return s;
  }

  inbound(thread: Thread, at: Instant): void {
    this.inbounds.push({ seq: ++this.#seq, thread, at });
  }

  connect(outcome: Omit<FakeConnect, 'seq' | 'fault'>, fault?: FakeFault['kind']): FakeConnect {
    const c: FakeConnect = { seq: ++this.#seq, ...outcome, ...(fault === undefined ? {} : { fault }) };
    this.connects.push(c);
    return c;
  }

  callEnd(end: Omit<FakeCallEnd, 'seq'>): FakeCallEnd {
    const e: FakeCallEnd = { seq: ++this.#seq, ...end };
    this.callEnds.push(e);
    return e;
  }

  reply(thread: Thread, at: Instant, response: FakeReply['response'], optInMessageId: string | null): void {
    this.replies.push({ seq: ++this.#seq, thread, at, response, optInMessageId });
  }
}
