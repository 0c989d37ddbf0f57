import {
  callsEntry, connectItem, inboundMessageEntry, pageWebhook, permissionReplyEntry, terminateItem, type ReplyShape,
} from '@callperm/testing';
import { DAY, HOUR, RULES } from './referenceModel.js';
import { ModelCommand, deliver, owe, redeliver } from './modelCommand.js';
import { THREADS, type Model, type World } from './modelWorld.js';

/** The person writes to the Page: Meta's window opens now; the message webhook comes now or later. */
export class Write extends ModelCommand {
  constructor(gapMs: number, readonly ti: number, readonly later: boolean) {
    super(gapMs);
  }

  async act(m: Model, w: World): Promise<void> {
    const thread = THREADS[this.ti]!;
    w.fake.inbound(thread, m.now);
    await owe(m, w, pageWebhook([inboundMessageEntry({ ...thread, at: m.now })]), [{ kind: 'inbound', ti: this.ti, at: m.now }], !this.later);
  }

  toString(): string {
    return `Write(+${this.gapMs}, t${this.ti}${this.later ? ', later' : ''})`;
  }
}

/** How long the approval Meta reports lasts: its default week said, left unsaid, or a shorter time. */
export type ReplyExpiry = { readonly kind: 'week' } | { readonly kind: 'omitted' } | { readonly kind: 'hours'; readonly hours: number };

/** The person taps Accept or Decline on an opt-in Meta delivered; the reply webhook comes now or later. */
export class Reply extends ModelCommand {
  constructor(
    gapMs: number, readonly ti: number, readonly response: 'approve' | 'reject', readonly expiry: ReplyExpiry,
    readonly shape: ReplyShape, readonly later: boolean,
  ) {
    super(gapMs);
  }

  override check(m: Readonly<Model>): boolean {
    return m.optedIn.has(this.ti);
  }

  async act(m: Model, w: World): Promise<void> {
    const thread = THREADS[this.ti]!;
    const at = m.now;
    const said = this.response === 'reject' || this.expiry.kind === 'omitted' ? null
      : at + (this.expiry.kind === 'week' ? RULES.permissionTtl : this.expiry.hours * HOUR);
    // Meta: the permission is granted (a week when unsaid) or ended; the reply is a postback, which opens the window.
    w.fake.reply(thread, { response: this.response, at, ...(said === null ? {} : { expiresAt: said }) });
    w.fake.threads.inbound(thread, at);
    const body = pageWebhook([permissionReplyEntry({ ...thread, at, response: this.response, expiresAt: said, shape: this.shape, expiryAs: at % 2000 === 0 ? 'string' : 'number' })]);
    await owe(m, w, body, [{ kind: 'reply', ti: this.ti, at, response: this.response, expiresAt: said }], !this.later);
  }

  toString(): string {
    const e = this.expiry.kind === 'hours' ? `${this.expiry.hours}h` : this.expiry.kind;
    return `Reply(+${this.gapMs}, t${this.ti}, ${this.response}${this.response === 'approve' ? ` ${e}` : ''}, ${this.shape}${this.later ? ', later' : ''})`;
  }
}

/**
 * The person calls the Page and the call ends now: connected (a duration) or
 * missed (the Page did not pick up). Meta grants a callback permission from the
 * end (never shortening a longer one), unless `metaGrants` is false (Meta
 * disagrees with the inference). Its `connect` and `terminate` items come in one
 * delivery or two, each now or later.
 */
export class PersonCalls extends ModelCommand {
  constructor(
    gapMs: number, readonly ti: number, readonly connected: boolean, readonly ringSec: number, readonly metaGrants: boolean,
    readonly together: boolean, readonly connectLater: boolean, readonly endLater: boolean,
  ) {
    super(gapMs);
  }

  async act(m: Model, w: World): Promise<void> {
    const thread = THREADS[this.ti]!;
    const endAt = m.now;
    // The call began after the previous command: every instant of the run stays distinct.
    const connectAt = endAt - Math.min(this.ringSec, this.gapMs / 1000 - 1) * 1000;
    const callId = `c_model_${m.seq + 1}`;
    m.calls.set(callId, { ti: this.ti, connectAt, endAt, connectSeen: false, endSeen: false });
    if (this.metaGrants) {
      const expiresAt = endAt + RULES.permissionTtl;
      const held = w.fake.threads.state(thread).grant;
      if (held === null || (held.expiresAt !== null && held.expiresAt < expiresAt)) w.fake.grant(thread, expiresAt);
    }
    const ref = { ...thread, callId };
    const connect = connectItem(ref, 'user_initiated', connectAt);
    const end = terminateItem(ref, { at: endAt, startedAt: connectAt, durationSec: this.connected ? Math.max(1, this.ringSec - 1) : null });
    const item = (part: 'connect' | 'end') => ({ kind: 'call' as const, ti: this.ti, callId, part });
    if (this.together) {
      await owe(m, w, pageWebhook([callsEntry(thread.pageId, [connect, end], { time: endAt })]), [item('connect'), item('end')], !this.connectLater);
      return;
    }
    await owe(m, w, pageWebhook([callsEntry(thread.pageId, [connect], { time: connectAt })]), [item('connect')], !this.connectLater);
    await owe(m, w, pageWebhook([callsEntry(thread.pageId, [end], { time: endAt, envelope: 'changes' })]), [item('end')], !this.endLater);
  }

  toString(): string {
    const how = `${this.connected ? 'connected' : 'missed'} ${this.ringSec}s${this.metaGrants ? '' : ', Meta grants nothing'}`;
    return `PersonCalls(+${this.gapMs}, t${this.ti}, ${how}, ${this.together ? 'together' : 'apart'}${this.connectLater ? ', connect later' : ''}${this.endLater ? ', end later' : ''})`;
  }
}

/** The person blocks the Page (opt-ins refused with 551) or unblocks it. */
export class Availability extends ModelCommand {
  constructor(gapMs: number, readonly ti: number, readonly unavailable: boolean) {
    super(gapMs);
  }

  act(_m: Model, w: World): Promise<void> {
    w.fake.markUnavailable(THREADS[this.ti]!, this.unavailable);
    return Promise.resolve();
  }

  toString(): string {
    return `Availability(+${this.gapMs}, t${this.ti}, ${this.unavailable ? 'unavailable' : 'available'})`;
  }
}

/** Meta delivers one webhook it owes (any of them: reordering), or all, in order or reversed. */
export class Deliver extends ModelCommand {
  constructor(gapMs: number, readonly pick: number | 'all' | 'all reversed') {
    super(gapMs);
  }

  override check(m: Readonly<Model>): boolean {
    return m.pending.length > 0;
  }

  async act(m: Model, w: World): Promise<void> {
    if (m.pending.length === 0) return; // what was owed aged out of Meta's retries as time moved on
    const owed = typeof this.pick === 'number' ? [m.pending[this.pick % m.pending.length]!] : [...m.pending];
    if (this.pick === 'all reversed') owed.reverse();
    for (const d of owed) await deliver(m, w, d);
  }

  toString(): string {
    return `Deliver(+${this.gapMs}, ${this.pick})`;
  }
}

/** Meta delivers again a webhook the host already took (a retry Meta decided on its own). */
export class Redeliver extends ModelCommand {
  constructor(gapMs: number, readonly pick: number) {
    super(gapMs);
  }

  override check(m: Readonly<Model>): boolean {
    return m.delivered.length > 0;
  }

  async act(m: Model, w: World): Promise<void> {
    if (m.delivered.length === 0) return;
    await redeliver(m, w, m.delivered[this.pick % m.delivered.length]!);
  }

  toString(): string {
    return `Redeliver(+${this.gapMs}, ${this.pick})`;
  }
}

/** Time passes with nothing happening (small or large steps), within 25 days a run (threads are retired after 30 idle days). */
export class Advance extends ModelCommand {
  override check(m: Readonly<Model>): boolean {
    return m.now + this.gapMs - m.start <= 25 * DAY;
  }

  act(): Promise<void> {
    return Promise.resolve();
  }

  toString(): string {
    return `Advance(+${this.gapMs})`;
  }
}
