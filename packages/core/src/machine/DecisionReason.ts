/**
 * Why a thread may not do something now. A closed union: hosts can switch on it.
 *
 * - `no_permission`: nothing granted yet — request permission.
 * - `pending_reply`: a request awaits the person's answer.
 * - `rejected`: the person declined the last request.
 * - `expired`: the permission's time ran out — request again.
 * - `remote_start_call_denied`: Meta refused `start_call` (connected-call quota or a remote revocation).
 * - `already_permitted`: a live permission exists, no request is needed.
 * - `quota_exhausted`: the rolling request quota is used up — see `nextRequestAt`.
 * - `remote_request_denied`: Meta's last check refused a new request without saying why — refresh later.
 * - `outside_messaging_window`: the person has not written within the messaging window.
 * - `messaging_window_unknown`: strict mode, and the person's last message is not known.
 * - `person_unavailable`: Meta refused the last opt-in because the person cannot be messaged — until they write.
 * - `calling_not_enabled`: Meta said calling is off or not allowed for the Page — until the Page is checked again.
 * - `call_quota_exhausted`: the thread's connected-call quota is used up (the business-initiated calls of its rolling periods) — until the oldest leaves its period.
 *
 * @example
 * const r: DecisionReason = 'quota_exhausted';
 */
export type DecisionReason =
  | 'no_permission'
  | 'pending_reply'
  | 'rejected'
  | 'expired'
  | 'remote_start_call_denied'
  | 'already_permitted'
  | 'quota_exhausted'
  | 'remote_request_denied'
  | 'outside_messaging_window'
  | 'messaging_window_unknown'
  | 'person_unavailable'
  | 'calling_not_enabled'
  | 'call_quota_exhausted';
