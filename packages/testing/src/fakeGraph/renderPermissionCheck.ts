import type { FakePermissionView } from './FakeThreadBook.js';
import { isoPeriod } from './isoPeriod.js';

/**
 * The shapes Meta documents for `messenger_call_permissions` (facts file §1.2):
 * `flat` the guide's object, `data` the v26 reference (a `data:[...]` edge with
 * upper-case statuses), `alternate` the other guide export (`can_perform_action`,
 * `max_allowed_per_user`), `uppercase` the flat object with upper-case statuses.
 */
export type PermissionCheckVariant = 'flat' | 'data' | 'alternate' | 'uppercase';

/**
 * Every variant, for tests that run through them all.
 *
 * @example
 * for (const v of permissionCheckVariants) fake.setVariant(v);
 */
export const permissionCheckVariants: readonly PermissionCheckVariant[] = ['flat', 'data', 'alternate', 'uppercase'];

/** Extras of the rendering. */
export interface RenderPermissionCheckOptions {
  /**
   * Give `start_call` a `limits` entry per connected-call quota (the reference
   * schema allows `limits` on any action; Messenger's samples show none on
   * `start_call`). Default false.
   */
  readonly startCallLimits?: boolean;
}

/**
 * Renders a thread's permission view as Meta would answer it, in one variant.
 *
 * @example
 * renderPermissionCheck(book.view(thread), 'data'); // { data: [{ permission: { status: 'NO_PERMISSION' }, actions: [...] }] }
 */
export const renderPermissionCheck = (view: FakePermissionView, variant: PermissionCheckVariant, options: RenderPermissionCheckOptions = {}): unknown => {
  const upper = variant === 'data' || variant === 'uppercase';
  const status = view.hasPermission ? 'has_permission' : 'no_permission';
  const canKey = variant === 'alternate' ? 'can_perform_action' : 'can_perform';
  const maxKey = variant === 'alternate' ? 'max_allowed_per_user' : 'max_allowed';
  const permission = {
    status: upper ? status.toUpperCase() : status,
    ...(view.hasPermission && view.expiresAt !== null ? { expiration_time: Math.floor(view.expiresAt / 1000) } : {}),
  };
  const actions = [
    {
      action_name: 'send_call_permission_request',
      [canKey]: view.request.canPerform,
      limits: [{ time_period: view.request.window.period, [maxKey]: view.request.window.max, current_usage: view.request.used }],
    },
    // Messenger's samples give start_call no limits, only whether it can be done (limits on request).
    {
      action_name: 'start_call',
      [canKey]: view.startCall.canPerform,
      ...(options.startCallLimits === true
        ? { limits: view.startCall.limits.map((q) => ({ time_period: isoPeriod(q.periodMs), [maxKey]: q.max, current_usage: q.used })) }
        : {}),
    },
  ];
  const item = { permission, actions };
  return variant === 'data' ? { data: [item] } : item;
};
