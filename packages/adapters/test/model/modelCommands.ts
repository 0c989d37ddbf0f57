import { fc } from '@fast-check/vitest';
import type { ReplyShape } from '@callperm/testing';
import { checkFault, maybe, sendFault } from './graphFaults.js';
import { DAY, HOUR, MIN } from './referenceModel.js';
import type { ModelCommand } from './modelCommand.js';
import { Advance, Availability, Deliver, PersonCalls, Redeliver, Reply, Write, type ReplyExpiry } from './personCommands.js';
import { Refresh, Request, Sweep } from './serviceCommands.js';
import { THREADS } from './modelWorld.js';

/** Whole seconds between two commands (at least 2, so a call fits between them). */
const gap = fc.integer({ min: 2, max: 120 }).map((s) => s * 1000);
/** Mostly the first thread, so one thread sees its quota filled, its reminders and its replies crossing. */
const thread = fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(THREADS.length - 1) });
/** A webhook left for later one time in four. */
const later = fc.integer({ min: 0, max: 3 }).map((n) => n === 0);
const expiry: fc.Arbitrary<ReplyExpiry> = fc.oneof(
  fc.constant<ReplyExpiry>({ kind: 'week' }),
  fc.constant<ReplyExpiry>({ kind: 'omitted' }),
  fc.integer({ min: 1, max: 72 }).map((hours): ReplyExpiry => ({ kind: 'hours', hours })),
);
const shape = fc.constantFrom<ReplyShape>('entry', 'messaging', 'changes');

export const write = fc.tuple(gap, thread, later).map(([g, ti, l]) => new Write(g, ti, l));
export const reply = fc.tuple(gap, thread, fc.constantFrom('approve' as const, 'reject' as const), expiry, shape, later)
  .map(([g, ti, r, e, s, l]) => new Reply(g, ti, r, e, s, l));
export const personCalls = fc.tuple(gap, thread, fc.boolean(), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 4 }).map((n) => n > 0), fc.boolean(), later, later)
  .map(([g, ti, connected, ring, grants, together, cl, el]) => new PersonCalls(g, ti, connected, ring, grants, together, cl, el));
const availability = fc.tuple(gap, thread, fc.boolean()).map(([g, ti, u]) => new Availability(g, ti, u));
export const deliverOwed = fc.tuple(gap, fc.oneof(fc.nat(20), fc.constantFrom('all' as const, 'all reversed' as const))).map(([g, p]) => new Deliver(g, p));
const redeliverOne = fc.tuple(gap, fc.nat(20)).map(([g, p]) => new Redeliver(g, p));
export const request = fc.tuple(gap, thread, maybe(checkFault), maybe(sendFault)).map(([g, ti, c, s]) => new Request(g, ti, c, s));
const refresh = fc.tuple(gap, thread, maybe(checkFault)).map(([g, ti, c]) => new Refresh(g, ti, c));
const sweep = fc.tuple(gap, maybe(checkFault)).map(([g, c]) => new Sweep(g, c));
export const smallStep = fc.integer({ min: MIN, max: 6 * HOUR }).map((ms) => new Advance(Math.round(ms / 1000) * 1000));
const largeStep = fc.integer({ min: 6 * HOUR, max: 2 * DAY }).map((ms) => new Advance(Math.round(ms / 1000) * 1000));

/** The commands of a run, weighted by listing the common ones more than once. */
export const modelCommands: fc.Arbitrary<ModelCommand>[] = [
  write, write, write, write, reply, reply, personCalls, availability, deliverOwed, deliverOwed, redeliverOne,
  request, request, request, request, refresh, sweep, sweep, smallStep, smallStep, largeStep,
];
