import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';
import type { PermissionRecord } from './PermissionRecord.js';

/**
 * Which message carries a permission request: the channel's `standard` one
 * (Messenger's `calling_optin`, WhatsApp's interactive `call_permission_request`),
 * which needs the person's messaging window, or WhatsApp's approved `template`
 * with a `call_permission_request` component, which may go outside it.
 */
export type RequestMessage = 'standard' | 'template';

/**
 * The person is inside the messaging window at `at`, as far as the record knows:
 * they wrote within `messagingWindow`, and Meta has not refused an opt-in as
 * outside the window since.
 *
 * @example
 * inMessagingWindow(emptyRecord(), now, resolvePolicy(messengerPolicy)); // false: no message known
 */
export const inMessagingWindow = (r: PermissionRecord, at: Instant, p: ResolvedPolicy): boolean =>
  r.lastInboundAt !== null && at < r.lastInboundAt + p.messagingWindowMs
  && !(r.refusal !== null && r.refusal.kind === 'outside_window' && r.refusal.at >= r.lastInboundAt);

/**
 * The message a request reserved at `at` goes out as: the standard one inside the
 * messaging window, the template outside it when the policy has one
 * (`templateOutsideWindow`). Without a template, the window rules hold a request
 * outside the window back, so it is always standard.
 *
 * @example
 * requestMessageAt(record, now, resolvePolicy({ ...whatsappPolicy, templateOutsideWindow: true })); // 'template' when the person has not written for a day
 */
export const requestMessageAt = (r: PermissionRecord, at: Instant, p: ResolvedPolicy): RequestMessage =>
  (p.templateOutsideWindow && !inMessagingWindow(r, at, p) ? 'template' : 'standard');
