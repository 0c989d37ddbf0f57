import * as t from 'io-ts';
import type { RemoteAction, RemoteLimit, RemotePermission } from '../remotePermission.js';
import { err, ok } from '../result.js';
import type { Result } from '../result.js';
import { decodeReport } from './DecodeReport.js';
import type { DecodeReport } from './DecodeReport.js';
import { decodeWith } from './decodeWith.js';
import { NullableEpochMs } from './timestamps.js';

const WHAT = 'permission_check';

/** A usage count or a maximum: a whole number, zero or more. */
const Count = new t.Type<number, number, unknown>(
  'Count',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 ? t.success(u) : t.failure(u, c)),
  (a) => a,
);

/**
 * `max_allowed` (guide, reference) or `max_allowed_per_user` (alternate export of the guide);
 * WhatsApp adds `limit_expiration_time` when the limit is used up (when it frees).
 */
const RawLimit = t.intersection([
  t.type({ time_period: t.string, current_usage: Count }),
  t.partial({ max_allowed: Count, max_allowed_per_user: Count, limit_expiration_time: NullableEpochMs }),
], 'Limit');

/** `can_perform` (guide, reference) or `can_perform_action` (alternate export, WhatsApp). */
const RawAction = t.intersection([
  t.type({ action_name: t.string }),
  t.partial({
    can_perform: t.boolean,
    can_perform_action: t.boolean,
    limits: t.union([t.array(RawLimit), t.null]),
  }),
], 'Action');

/** `expiration_time` (Messenger; WhatsApp's sample) or `expiration` (WhatsApp's field table). */
const RawItem = t.intersection([
  t.type({
    permission: t.intersection([
      t.type({ status: t.string }),
      t.partial({ expiration_time: NullableEpochMs, expiration: NullableEpochMs }),
    ], 'Permission'),
  }),
  t.partial({ actions: t.union([t.array(t.unknown), t.null]) }),
], 'PermissionCheck');

const Wrapped = t.type({ data: t.array(t.unknown) }, 'PermissionCheckEdge');

/** What an empty `data: []` means: Meta has no permission to report. */
const NO_PERMISSION: RemotePermission = {
  status: 'no_permission', rawStatus: '', expiresAt: null, request: null, startCall: null,
};

/** WhatsApp's granted statuses (lower-cased), each with whether it is permanent: both mean `has_permission`. */
const WHATSAPP_GRANTS: ReadonlyMap<string, boolean> = new Map([['temporary', false], ['permanent', true]]);

type ActionName = 'send_call_permission_request' | 'start_call';

const actionNameOf = (u: unknown): ActionName | null => {
  if (typeof u !== 'object' || u === null || !('action_name' in u) || typeof u.action_name !== 'string') return null;
  const name = u.action_name.trim().toLowerCase();
  return name === 'send_call_permission_request' || name === 'start_call' ? name : null;
};

const toAction = (raw: unknown, at: readonly (string | number)[]): Result<RemoteAction, DecodeReport> => {
  const decoded = decodeWith(WHAT, RawAction, raw, at);
  if (!decoded.ok) return decoded;
  const a = decoded.value;
  const canPerform = a.can_perform ?? a.can_perform_action;
  if (canPerform === undefined) {
    return err(decodeReport(WHAT, `$.${[...at, 'can_perform'].join('.')}`, 'boolean', undefined));
  }
  const limits: RemoteLimit[] = [];
  for (const [i, l] of (a.limits ?? []).entries()) {
    const max = l.max_allowed ?? l.max_allowed_per_user;
    if (max === undefined) {
      return err(decodeReport(WHAT, `$.${[...at, 'limits', i, 'max_allowed'].join('.')}`, 'Count', undefined));
    }
    const freesAt = l.limit_expiration_time ?? null;
    limits.push({ period: l.time_period, max, used: l.current_usage, ...(freesAt === null ? {} : { freesAt }) });
  }
  return ok({ canPerform, limits });
};

const toPermission = (raw: unknown, at: readonly (string | number)[]): Result<RemotePermission, DecodeReport> => {
  const decoded = decodeWith(WHAT, RawItem, raw, at);
  if (!decoded.ok) return decoded;
  const { permission, actions } = decoded.value;
  const found: Partial<Record<ActionName, RemoteAction>> = {};
  for (const [i, item] of (actions ?? []).entries()) {
    const name = actionNameOf(item);
    if (name === null || found[name] !== undefined) continue; // unknown or repeated actions are ignored
    const action = toAction(item, [...at, 'actions', i]);
    if (!action.ok) return action;
    found[name] = action.value;
  }
  const word = permission.status.trim().toLowerCase();
  const whatsapp = WHATSAPP_GRANTS.get(word);
  const status = word === 'has_permission' || whatsapp !== undefined ? 'has_permission' : 'no_permission';
  const expiry = permission.expiration_time ?? permission.expiration ?? null;
  return ok({
    status,
    rawStatus: permission.status,
    // A permanent permission never expires, whatever expiry came with it.
    expiresAt: whatsapp === true ? null : expiry,
    ...(whatsapp === undefined ? {} : { permanent: whatsapp }),
    request: found.send_call_permission_request ?? null,
    startCall: found.start_call ?? null,
  });
};

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/**
 * Decodes Meta's answer to `GET /{page-id}/messenger_call_permissions?psid=`, and
 * WhatsApp's to `GET /{phone-number-id}/call_permissions`, in any documented shape:
 * flat `{permission, actions}`, or the Graph edge `{data:[...]}` (first item; an
 * empty `data` means no permission); `can_perform` or `can_perform_action`;
 * `max_allowed` or `max_allowed_per_user`; statuses in any case: Messenger's
 * `has_permission`/`no_permission` and WhatsApp's `no_permission`, `temporary`
 * and `permanent` (both `has_permission`, with `permanent` telling them apart; a
 * permanent one has no expiry), unknown ones read as `no_permission` (raw value
 * kept); the expiry as `expiration_time` or `expiration`, in seconds or ms, absent
 * or null; a limit's `limit_expiration_time` as `freesAt`. Unknown fields
 * (`messaging_product`...) and unknown actions are ignored.
 *
 * @example
 * const r = parsePermissionCheck({ permission: { status: 'HAS_PERMISSION', expiration_time: 1745343479 }, actions: [] });
 * if (r.ok) r.value.expiresAt; // 1745343479000
 * const wa = parsePermissionCheck({ messaging_product: 'whatsapp', permission: { status: 'permanent' }, actions: [] });
 * if (wa.ok) [wa.value.status, wa.value.permanent, wa.value.expiresAt]; // ['has_permission', true, null]
 */
export const parsePermissionCheck = (json: unknown): Result<RemotePermission, DecodeReport> => {
  if (isRecord(json) && !('permission' in json) && 'data' in json) {
    const wrapped = decodeWith(WHAT, Wrapped, json);
    if (!wrapped.ok) return wrapped;
    const [first] = wrapped.value.data;
    return wrapped.value.data.length === 0 ? ok(NO_PERMISSION) : toPermission(first, ['data', 0]);
  }
  return toPermission(json, []);
};
