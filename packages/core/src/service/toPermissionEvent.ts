import type { PermissionEvent } from '../machine/PermissionEvent.js';
import type { Thread } from '../thread.js';
import type { WebhookEvent } from '../webhookEvent.js';

/**
 * Maps a decoded webhook event to the machine event it means for its thread, or
 * null when the event says nothing about permissions on its own (a raw `calls`
 * item: implicit grants are inferred from call sequences, not single items).
 *
 * @example
 * toPermissionEvent({ kind: 'inbound_message', id: 'x', thread, at: 5 }); // { thread, event: { type: 'USER_MESSAGE', at: 5 } }
 */
export const toPermissionEvent = (e: WebhookEvent): { thread: Thread; event: PermissionEvent } | null => {
  switch (e.kind) {
    case 'permission_reply':
      return {
        thread: e.thread,
        event: e.response === 'approve'
          ? { type: 'REPLY_APPROVE', at: e.at, expiresAt: e.expiresAt, ...(e.permanent === true ? { permanent: true } : {}) }
          : { type: 'REPLY_REJECT', at: e.at },
      };
    case 'inbound_message':
      return { thread: e.thread, event: { type: 'USER_MESSAGE', at: e.at } };
    case 'implicit_grant':
      return {
        thread: e.thread,
        event: { type: e.cause === 'connected_call' ? 'CALL_CONNECTED' : 'CONSUMER_CALL_MISSED', at: e.at },
      };
    case 'call':
    case 'page_settings':
      return null;
  }
};
