import type { HistorySource } from '@callperm/core';

/**
 * A step's source in a few words, as the chart page lists it: the kind, and the
 * id that names it (a webhook event id, Meta's opt-in message id, a check's
 * `fbtrace_id`, a call id). Ids longer than `maxId` characters are shortened
 * with an ellipsis (pass `Infinity` for the whole id).
 *
 * @example
 * describeSource({ kind: 'call', callId: 'c_1', cause: 'missed_call' }); // 'call c_1 (missed)'
 * describeSource({ kind: 'opt_in', requestedAt: 0, messageId: 'm_1' }); // 'opt-in m_1'
 */
export const describeSource = (source: HistorySource, maxId = 32): string => {
  const id = (s: string): string => (s.length > maxId ? `${s.slice(0, Math.max(1, maxId - 1))}…` : s);
  switch (source.kind) {
    case 'webhook':
      return `webhook ${id(source.eventId)}`;
    case 'opt_in':
      return source.messageId === null ? 'opt-in (no message id)' : `opt-in ${id(source.messageId)}`;
    case 'remote_check':
      return source.fbtraceId === null ? 'check' : `check ${id(source.fbtraceId)}`;
    case 'call':
      return `call ${id(source.callId)} (${source.cause === 'missed_call' ? 'missed' : 'connected'})`;
    case 'connect':
      return source.callId === null ? 'connect (no call id)' : `connect ${id(source.callId)}`;
    case 'host':
      return 'host';
    case 'operator':
      return 'operator';
  }
};
