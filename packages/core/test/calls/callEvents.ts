import type { CallEvent } from '../../src/internals.js';

/** Builds decoded `calls` items for core tests (ids as the decoder would make them unique). */
export const callEvents = (pageId: string, callId: string, psid: string) => {
  const base = { kind: 'call' as const, pageId, callId, direction: null, callStatus: null, terminateStatus: null, durationSec: null };
  const id = (...parts: (string | number | null)[]) => ['call', pageId, callId, ...parts].join(':');
  return {
    connect: (direction: 'business_initiated' | 'user_initiated', at: number): CallEvent =>
      ({ ...base, id: id('connect', at, direction), at, psid, event: 'connect', direction }),
    status: (status: 'ringing' | 'accepted', at: number): CallEvent =>
      ({ ...base, id: id('call_status', at, status), at, psid, event: 'call_status', callStatus: status }),
    media: (at: number): CallEvent => ({ ...base, id: id('media_update', at), at, psid: null, event: 'media_update' }),
    terminate: (at: number, durationSec: number | null, status = 'completed'): CallEvent =>
      ({ ...base, id: id('terminate', at, durationSec, status), at, psid: null, event: 'terminate', terminateStatus: status, durationSec }),
  };
};
