import type { Instant } from '@callperm/core';

/**
 * One `entry[]` with a person's message to the Page in `messaging[]` (standard
 * Messenger envelope, 13-digit millisecond timestamps): it opens the 24 h window.
 *
 * @example
 * inboundMessageEntry({ pageId: '1234', psid: '5678', at: clock.now(), text: 'hi' });
 */
export const inboundMessageEntry = (spec: {
  readonly pageId: string;
  readonly psid: string;
  readonly at: Instant;
  readonly text?: string;
  /** Default: derived from the instant and the PSID. */
  readonly mid?: string;
}): Record<string, unknown> => ({
  id: spec.pageId,
  time: spec.at,
  messaging: [{
    sender: { id: spec.psid },
    recipient: { id: spec.pageId },
    timestamp: spec.at,
    message: { mid: spec.mid ?? `m_${spec.psid}_${spec.at}`, text: spec.text ?? 'hello' },
  }],
});
