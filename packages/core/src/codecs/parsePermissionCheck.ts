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

/** `max_allowed` (guide, reference) or `max_allowed_per_user` (alternate export of the guide). */
const RawLimit = t.intersection([
  t.type({ time_period: t.string, current_usage: Count }),
  t.partial({ max_allowed: Count, max_allowed_per_user: Count }),
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

const RawItem = t.intersection([
  t.type({
    permission: t.intersection([
      t.type({ status: t.string }),
      t.partial({ expiration_time: NullableEpochMs }),
    ], 'Permission'),
  }),
  t.partial({ actions: t.union([t.array(t.unknown), t.null]) }),
], 'PermissionCheck');

const Wrapped = t.type({ data: t.array(t.unknown) }, 'PermissionCheckEdge');

/** What an empty `data: []` means: Meta has no permission to report. */
const NO_PERMISSION: RemotePermission = {
  status: 'no_permission', rawStatus: '', expiresAt: null, request: null, startCall: null,
};

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
    limits.push({ period: l.time_period, max, used: l.current_usage });
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
  const status = permission.status.trim().toLowerCase() === 'has_permission' ? 'has_permission' : 'no_permission';
  return ok({
    status,
    rawStatus: permission.status,
    expiresAt: permission.expiration_time ?? null,
    request: found.send_call_permission_request ?? null,
    startCall: found.start_call ?? null,
  });
};

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/**
 * Decodes Meta's answer to `GET /{page-id}/messenger_call_permissions?psid=` in any
 * documented shape: flat `{permission, actions}`, or the Graph edge `{data:[...]}`
 * (first item; an empty `data` means no permission); `can_perform` or
 * `can_perform_action`; `max_allowed` or `max_allowed_per_user`; statuses in any
 * case (unknown ones read as `no_permission`, raw value kept); `expiration_time` in
 * seconds or ms, absent or null. Unknown fields and unknown actions are ignored.
 *
 * @example
 * const r = parsePermissionCheck({ permission: { status: 'HAS_PERMISSION', expiration_time: 1745343479 }, actions: [] });
 * if (r.ok) r.value.expiresAt; // 1745343479000
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
