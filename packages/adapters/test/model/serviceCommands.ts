import { expect } from 'vitest';
import type { FakeGraphApi, FakeRequest } from '@callperm/testing';
import {
  RULES, checkDue, needsPreflight, requestBlocker, reserve, sawCheck, sendEnded, type MetaView, type RefThread, type SendOutcome,
} from './referenceModel.js';
import type { GraphFault } from './graphFaults.js';
import { ModelCommand } from './modelCommand.js';
import { THREADS, drainFault, metaView, threadOfRequest, type Model, type World } from './modelWorld.js';

/** Meta said calling is off for the thread's Page (a refused opt-in or check): the service holds the whole Page. */
const learnPageOff = (m: Model, ti: number, fault: GraphFault | null): void => {
  if (fault?.pageOff === true) m.pagesOff.set(THREADS[ti]!.pageId, m.now);
};

/** The requests the fake logged since `from`, to `endpoint`, for the run's threads (not a drained fault's). */
const since = (fake: FakeGraphApi, from: number, endpoint: 'check' | 'send'): FakeRequest[] =>
  fake.requests.slice(from).filter((r) => r.endpoint === endpoint && threadOfRequest(r) >= 0);

/** Queues a command's faults; returns how to use up the ones the service did not consume. */
const injectFaults = (m: Model, w: World, faults: { readonly check?: GraphFault | null; readonly send?: GraphFault | null }) => {
  const from = w.fake.requests.length;
  for (const endpoint of ['check', 'send'] as const) {
    const f = faults[endpoint];
    if (f === null || f === undefined) continue;
    w.fake.inject(endpoint, f.fault);
    m.tally.faults[`${endpoint}:${f.name}`] = (m.tally.faults[`${endpoint}:${f.name}`] ?? 0) + 1;
  }
  return async (): Promise<void> => {
    for (const endpoint of ['check', 'send'] as const) {
      if (faults[endpoint] != null && since(w.fake, from, endpoint).length === 0) await drainFault(w.fake, endpoint);
    }
  };
};

/** What Meta itself answers an opt-in now, without an injected fault (the fake's order of refusals). */
const metaSendOutcome = (w: World, ti: number, view: MetaView): SendOutcome => {
  const thread = THREADS[ti]!;
  if (w.fake.threads.state(thread).unavailable) return { kind: 'refused', teaches: 'person_unavailable' };
  if (!w.fake.threads.inWindow(thread)) return { kind: 'refused', teaches: 'outside_window' };
  if (view.used >= view.max) return { kind: 'refused', teaches: 'request_limit' };
  return { kind: 'accepted' };
};

/** `request(thread)`, with a fault for its check and one for its send (either may go unused). */
export class Request extends ModelCommand {
  constructor(gapMs: number, readonly ti: number, readonly checkFault: GraphFault | null, readonly sendFault: GraphFault | null) {
    super(gapMs);
  }

  async act(m: Model, w: World): Promise<void> {
    const t = m.threads[this.ti]!;
    const thread = THREADS[this.ti]!;
    const view = metaView(w.fake, thread);
    const natural = metaSendOutcome(w, this.ti, view);
    const from = w.fake.requests.length;
    const drain = injectFaults(m, w, { check: this.checkFault, send: this.sendFault });
    const result = await w.permissions.request(thread);
    await drain();
    const checks = since(w.fake, from, 'check').length;
    const sends = since(w.fake, from, 'send').length;
    m.tally.checks += checks;
    m.tally.sends += sends;
    const answered = result.ok ? 'sent' : result.error.reason;
    m.tally.requests[answered] = (m.tally.requests[answered] ?? 0) + 1;
    // A Page whose calling is off: rechecked first once pageRecheckAfter has passed (Meta says it is on), else nothing is asked.
    const offSince = m.pagesOff.get(thread.pageId);
    const recheck = offSince !== undefined && m.now >= offSince + RULES.pageRecheckAfter;
    expect(w.fake.requests.slice(from).filter((r) => r.endpoint === 'feature_status').length, 'the Page rechecked when due').toBe(recheck ? 1 : 0);
    if (recheck) m.pagesOff.delete(thread.pageId);
    if (m.pagesOff.has(thread.pageId)) {
      expect({ checks, sends, reason: result.ok ? null : result.error.reason }, 'calling is off for the Page: nothing asked').toEqual({ checks: 0, sends: 0, reason: 'calling_not_enabled' });
      return;
    }
    const blocked = requestBlocker(t, m.now);
    // Unsure (the thread, or its state now: inside the second an implicit grant's expiry may fall in): follow the service.
    if (t.unsure !== null || blocked === undefined) return this.#follow(m, t, view, natural, checks, sends);
    if (blocked !== null) {
      expect({ checks, sends, reason: result.ok ? null : result.error.reason }, 'a request the decision refuses asks Meta nothing').toEqual({ checks: 0, sends: 0, reason: blocked });
      return;
    }
    const preflight = needsPreflight(t, m.now);
    expect(checks, 'a check first when none is newer than preflightMaxAge, and before a reminder').toBe(preflight ? 1 : 0);
    if (preflight && this.checkFault !== null) {
      expect({ sends, reason: result.ok ? null : result.error.reason }).toEqual({ sends: 0, reason: 'check_failed' });
      learnPageOff(m, this.ti, this.checkFault);
      return;
    }
    if (preflight) sawCheck(t, m.now, view);
    const after = requestBlocker(t, m.now);
    if (after !== null) {
      expect({ sends, reason: result.ok ? null : result.error.reason }, 'what the check said holds the request').toEqual({ sends: 0, reason: after });
      return;
    }
    expect(sends, 'the opt-in goes out exactly once').toBe(1);
    this.#sent(m, t, natural);
    learnPageOff(m, this.ti, this.sendFault);
    const outcome = this.sendFault?.send ?? natural;
    const reason = outcome.kind === 'accepted' ? null : outcome.kind === 'ambiguous' ? 'send_ambiguous' : 'send_failed';
    expect(result.ok ? null : result.error.reason).toBe(reason);
  }

  /** Reserve, send, and settle the model as the send ended. */
  #sent(m: Model, t: RefThread, natural: SendOutcome): void {
    const outcome = this.sendFault?.send ?? natural;
    reserve(t, m.now);
    sendEnded(t, m.now, outcome);
    const metaTook = this.sendFault === null ? natural.kind === 'accepted' : this.sendFault.processed && natural.kind === 'accepted';
    if (metaTook) {
      m.optedIn.add(this.ti);
      m.tally.accepted += 1;
    }
  }

  /** The model cannot tell the state: follow what the service did, so the model stays in step for later commands. */
  #follow(m: Model, t: RefThread, view: MetaView, natural: SendOutcome, checks: number, sends: number): void {
    if (checks > 0 && this.checkFault === null) sawCheck(t, m.now, view);
    if (checks > 0) learnPageOff(m, this.ti, this.checkFault);
    if (sends > 0) {
      this.#sent(m, t, natural);
      learnPageOff(m, this.ti, this.sendFault);
    }
  }

  toString(): string {
    return `Request(+${this.gapMs}, t${this.ti}${this.checkFault ? `, check ${this.checkFault.name}` : ''}${this.sendFault ? `, send ${this.sendFault.name}` : ''})`;
  }
}

/** `refresh(thread)`: one check; Meta's word becomes the truth, or nothing changes when it fails. */
export class Refresh extends ModelCommand {
  constructor(gapMs: number, readonly ti: number, readonly checkFault: GraphFault | null) {
    super(gapMs);
  }

  async act(m: Model, w: World): Promise<void> {
    const thread = THREADS[this.ti]!;
    const view = metaView(w.fake, thread);
    const from = w.fake.requests.length;
    const drain = injectFaults(m, w, { check: this.checkFault });
    const result = await w.permissions.refresh(thread);
    await drain();
    m.tally.checks += 1;
    expect({ checks: since(w.fake, from, 'check').length, ok: result.ok }).toEqual({ checks: 1, ok: this.checkFault === null });
    if (this.checkFault === null) sawCheck(m.threads[this.ti]!, m.now, view);
    learnPageOff(m, this.ti, this.checkFault);
  }

  toString(): string {
    return `Refresh(+${this.gapMs}, t${this.ti}${this.checkFault ? `, ${this.checkFault.name}` : ''})`;
  }
}

/**
 * `sweep()`: the threads it checks are those whose reconciling check has come
 * (an ambiguous send, an implicit grant, an opt-in unanswered for a day), and
 * every one of them unless it is backing off after a failed check.
 */
export class Sweep extends ModelCommand {
  constructor(gapMs: number, readonly checkFault: GraphFault | null) {
    super(gapMs);
  }

  async act(m: Model, w: World): Promise<void> {
    const views = THREADS.map((t) => metaView(w.fake, t));
    const due = m.threads.map((t) => checkDue(t, m.now));
    const from = w.fake.requests.length;
    const drain = injectFaults(m, w, { check: this.checkFault });
    const report = await w.permissions.sweep();
    await drain();
    const checked = since(w.fake, from, 'check').map(threadOfRequest);
    const failed = this.checkFault === null ? -1 : checked[0] ?? -1;
    expect(report.checked, 'checks Meta answered').toBe(checked.filter((ti) => ti !== failed).length);
    // Pages whose calling was off are checked again pageRecheckAfter later, every one of them; Meta says it is on.
    const rechecked = new Set(w.fake.requests.slice(from).filter((r) => r.endpoint === 'feature_status').map((r) => r.pageId));
    const pagesDue = [...m.pagesOff].filter(([, at]) => at + RULES.pageRecheckAfter <= m.now).map(([pageId]) => pageId);
    expect([...rechecked].sort(), 'the Pages rechecked are those due').toEqual(pagesDue.sort());
    for (const pageId of pagesDue) m.pagesOff.delete(pageId);
    if (failed >= 0) learnPageOff(m, failed, this.checkFault);
    const contradicted = failed >= 0 && this.checkFault?.pageOff === true ? THREADS[failed]!.pageId : null;
    if (contradicted !== null && rechecked.has(contradicted)) {
      // Meta said, at one instant, that the Page's calling is on (its feature status) and off (a refused check):
      // either word may be the one stored last; the model takes the service's.
      const off = await w.permissions.pageCalling(contradicted);
      if (off === null) m.pagesOff.delete(contradicted);
      else m.pagesOff.set(contradicted, off.at);
    }
    m.tally.sweepChecks += checked.length;
    for (const [ti, t] of m.threads.entries()) {
      const d = due[ti];
      const may = d !== null && d !== undefined && d[0] <= m.now;
      const must = may && d[1] <= m.now && !t.backingOff && this.checkFault === null;
      const was = checked.includes(ti);
      if (t.unsure === null && was) expect(may, `thread ${ti}: checked though no check of it was due`).toBe(true);
      if (t.unsure === null && must) expect(was, `thread ${ti}: its check was due but the sweep did not make it`).toBe(true);
      if (ti === failed || (may && !was)) t.backingOff = true;
      else if (was) sawCheck(t, m.now, views[ti]!);
    }
  }

  toString(): string {
    return `Sweep(+${this.gapMs}${this.checkFault ? `, ${this.checkFault.name}` : ''})`;
  }
}
