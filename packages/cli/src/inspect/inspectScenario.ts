import type { PermissionEvent } from '@callperm/core';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * The short scripted life of one thread that `callperm inspect` feeds a live
 * actor: the person writes, the Page asks, the person approves, the permission
 * lapses, a second request is rejected, then a connected call grants it
 * implicitly. Every event carries its instant, from `start` on.
 *
 * @example
 * for (const e of inspectScenario(Date.UTC(2026, 0, 1))) actor.send(e);
 */
export const inspectScenario = (start: number): readonly PermissionEvent[] => {
  const asked = start + MINUTE;
  const askedAgain = start + 8 * DAY + 2 * MINUTE;
  return [
    { type: 'USER_MESSAGE', at: start },
    { type: 'REQUEST', at: asked },
    { type: 'REQUEST_SENT', at: asked + 1_000, requestedAt: asked, messageId: 'm_inspect_1' },
    { type: 'REPLY_APPROVE', at: start + 5 * MINUTE, expiresAt: start + 5 * MINUTE + 7 * DAY },
    { type: 'TICK', at: start + 8 * DAY },
    { type: 'USER_MESSAGE', at: start + 8 * DAY + MINUTE },
    { type: 'REQUEST', at: askedAgain },
    { type: 'REQUEST_SENT', at: askedAgain + 1_000, requestedAt: askedAgain, messageId: 'm_inspect_2' },
    { type: 'REPLY_REJECT', at: askedAgain + 10 * MINUTE },
    { type: 'CALL_CONNECTED', at: start + 9 * DAY },
  ];
};
