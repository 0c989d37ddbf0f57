import fc from 'fast-check';
import type { RemoteAction, RemoteLimit, RemotePermission } from '@callperm/core';
import { anyCaseArb } from './anyCase.js';
import type { Generated } from './Generated.js';
import { instantArb, timestampEncodingArb } from './metaTimestamp.js';

const limitArb: fc.Arbitrary<RemoteLimit> = fc.record({
  period: fc.constantFrom('PT24H', 'P7D', 'PT1H'),
  max: fc.nat({ max: 1000 }),
  used: fc.nat({ max: 1000 }),
});

const actionArb: fc.Arbitrary<RemoteAction> = fc.record({
  canPerform: fc.boolean(),
  limits: fc.array(limitArb, { maxLength: 3 }),
});

/**
 * A raw status and what it means: Messenger's in either documented casing,
 * WhatsApp's `temporary` and `permanent` (a permission; a permanent one has no
 * expiry), or an unknown value read as no permission.
 */
interface GeneratedStatus {
  readonly status: 'has_permission' | 'no_permission';
  readonly raw: string;
  readonly permanent?: boolean;
}

const statusArb: fc.Arbitrary<GeneratedStatus> = fc.oneof(
  anyCaseArb('has_permission').map((raw) => ({ status: 'has_permission' as const, raw })),
  anyCaseArb('no_permission').map((raw) => ({ status: 'no_permission' as const, raw })),
  anyCaseArb('temporary').map((raw) => ({ status: 'has_permission' as const, raw, permanent: false })),
  anyCaseArb('permanent').map((raw) => ({ status: 'has_permission' as const, raw, permanent: true })),
  fc.constantFrom('expired', 'pending').map((raw) => ({ status: 'no_permission' as const, raw })),
);

/**
 * A normalised permission check, as {@link permissionCheckArb} generates them.
 *
 * @example
 * fc.sample(remotePermissionArb, 1); // e.g. [{ status: 'has_permission', rawStatus: 'HAS_PERMISSION', ... }]
 */
export const remotePermissionArb: fc.Arbitrary<RemotePermission> = fc
  .record({
    s: statusArb,
    expiresAt: fc.option(instantArb, { nil: null }),
    request: fc.option(actionArb, { nil: null }),
    startCall: fc.option(actionArb, { nil: null }),
  })
  .map(({ s, expiresAt, request, startCall }) => ({
    status: s.status, rawStatus: s.raw, expiresAt: s.permanent === true ? null : expiresAt,
    ...(s.permanent === undefined ? {} : { permanent: s.permanent }), request, startCall,
  }));

const renderLimit = (l: RemoteLimit): fc.Arbitrary<Record<string, unknown>> =>
  fc.constantFrom('max_allowed', 'max_allowed_per_user').map((maxKey) => ({
    time_period: l.period, [maxKey]: l.max, current_usage: l.used,
  }));

const renderAction = (name: string, a: RemoteAction): fc.Arbitrary<Record<string, unknown>> =>
  fc.record({
    canKey: fc.constantFrom('can_perform', 'can_perform_action'),
    limits: fc.tuple(...a.limits.map(renderLimit)),
    emptyLimits: fc.constantFrom('absent', 'empty', 'null'),
  }).map(({ canKey, limits, emptyLimits }) => {
    const action: Record<string, unknown> = { action_name: name, [canKey]: a.canPerform };
    if (limits.length > 0) action.limits = limits;
    else if (emptyLimits === 'empty') action.limits = [];
    else if (emptyLimits === 'null') action.limits = null;
    return action;
  });

/** Actions Meta may add later: ignored whatever their content. */
const unknownActionArb = fc.record({
  action_name: fc.constantFrom('start_video_call', 'send_call_prompt', 'SEND_CALL_PERMISSION_REQUEST_V2'),
  can_perform: fc.jsonValue({ maxDepth: 1 }),
});

const renderExpiry = (expiresAt: number | null): fc.Arbitrary<Record<string, unknown>> =>
  expiresAt === null
    ? fc.constantFrom({}, { expiration_time: null }, { expiration_time: '' })
    : timestampEncodingArb(expiresAt).map((raw) => ({ expiration_time: raw }));

const renderItem = (p: RemotePermission): fc.Arbitrary<Record<string, unknown>> => {
  const known = [
    ...(p.request === null ? [] : [renderAction('send_call_permission_request', p.request)]),
    ...(p.startCall === null ? [] : [renderAction('start_call', p.startCall)]),
  ];
  return fc.record({
    expiry: renderExpiry(p.expiresAt),
    actions: fc.tuple(fc.tuple(...known), fc.array(unknownActionArb, { maxLength: 2 }))
      .chain(([k, u]) => fc.shuffledSubarray([...k, ...u], { minLength: k.length + u.length })),
    noActions: fc.constantFrom('absent', 'empty', 'null'),
  }).map(({ expiry, actions, noActions }) => {
    const item: Record<string, unknown> = { permission: { status: p.rawStatus, ...expiry } };
    if (actions.length > 0) item.actions = actions;
    else if (noActions === 'empty') item.actions = [];
    else if (noActions === 'null') item.actions = null;
    return item;
  });
};

/** What Meta means by an empty `data: []`. */
const NO_PERMISSION: RemotePermission = {
  status: 'no_permission', rawStatus: '', expiresAt: null, request: null, startCall: null,
};

/**
 * A `messenger_call_permissions` response in any documented shape (flat, or
 * `data:[...]` with the first item used and an empty array meaning no permission),
 * with `can_perform`/`can_perform_action`, `max_allowed`/`max_allowed_per_user`,
 * any status casing, expiry in seconds or ms (number or string) or absent/null,
 * unknown actions in any order, together with the {@link RemotePermission} it means.
 *
 * @example
 * fc.assert(fc.property(permissionCheckArb, ({ payload, expected }) => {
 *   const r = parsePermissionCheck(payload);
 *   return r.ok && JSON.stringify(r.value) === JSON.stringify(expected);
 * }));
 */
export const permissionCheckArb: fc.Arbitrary<Generated<RemotePermission>> = fc.oneof(
  { weight: 8, arbitrary: remotePermissionArb.chain((expected) =>
    fc.record({
      item: renderItem(expected),
      wrap: fc.boolean(),
      more: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 2 }),
    }).map(({ item, wrap, more }) => ({ payload: wrap ? { data: [item, ...more] } : item, expected }))) },
  { weight: 1, arbitrary: fc.constant({ payload: { data: [] }, expected: NO_PERMISSION }) },
);
