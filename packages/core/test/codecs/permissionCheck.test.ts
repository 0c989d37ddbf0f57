import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { permissionCheckArb, withUnknownFieldsArb } from '../../../testing/src/arbitraries/index.js';
import { parsePermissionCheck } from '../../src/codecs/index.js';

const flat = {
  permission: { status: 'has_permission', expiration_time: 1745343479 },
  actions: [{ action_name: 'send_call_permission_request', can_perform: true, limits: [{ time_period: 'PT24H', max_allowed: 2, current_usage: 0 }] }],
};

describe('parsePermissionCheck', () => {
  test.prop([permissionCheckArb])('decodes every documented shape to what it means', ({ payload, expected }) => {
    expect(parsePermissionCheck(payload)).toEqual({ ok: true, value: expected });
  });

  test.prop([permissionCheckArb.chain(({ payload, expected }) =>
    withUnknownFieldsArb(payload).map((noisy) => ({ noisy, expected })))])(
    'unknown fields never change the result',
    ({ noisy, expected }) => {
      expect(parsePermissionCheck(noisy)).toEqual({ ok: true, value: expected });
    },
  );

  test.prop([fc.jsonValue()])('never throws on any JSON; a failure is a report with issues', (json) => {
    const r = parsePermissionCheck(json);
    if (!r.ok) {
      expect(r.error.reason).toBe('invalid_payload');
      expect(r.error.what).toBe('permission_check');
      expect(r.error.issues.length).toBeGreaterThan(0);
    }
  });

  it('reports a missing permission at its path', () => {
    const r = parsePermissionCheck({ actions: [] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues.map((i) => i.path)).toContain('$.permission');
  });

  it('reports a bad first data item with a path into data', () => {
    const r = parsePermissionCheck({ data: [{ permission: { status: 7 } }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues[0]?.path).toBe('$.data.0.permission.status');
  });

  it('reports a known action without can_perform or a limit without a maximum', () => {
    const noFlag = parsePermissionCheck({ ...flat, actions: [{ action_name: 'start_call' }] });
    expect(noFlag.ok ? null : noFlag.error.issues[0]?.path).toBe('$.actions.0.can_perform');
    const noMax = parsePermissionCheck({
      ...flat,
      actions: [{ action_name: 'start_call', can_perform: true, limits: [{ time_period: 'PT24H', current_usage: 1 }] }],
    });
    expect(noMax.ok ? null : noMax.error.issues[0]?.path).toBe('$.actions.0.limits.0.max_allowed');
  });

  it('reports an unreadable expiration_time', () => {
    const r = parsePermissionCheck({ ...flat, permission: { status: 'has_permission', expiration_time: 'tomorrow' } });
    expect(r.ok ? null : r.error.issues[0]?.path).toBe('$.permission.expiration_time');
  });

  it('keeps the first of repeated actions and ignores malformed unknown ones', () => {
    const r = parsePermissionCheck({
      permission: { status: 'no_permission' },
      actions: [
        { action_name: 'start_call', can_perform: true },
        { action_name: 'start_call', can_perform: 'maybe' },
        { action_name: 'future_action', limits: 'n/a' },
        'garbage',
      ],
    });
    expect(r).toEqual({ ok: true, value: {
      status: 'no_permission', rawStatus: 'no_permission', expiresAt: null, request: null,
      startCall: { canPerform: true, limits: [] },
    } });
  });

  it('prefers the flat shape when both permission and data are present', () => {
    const r = parsePermissionCheck({ ...flat, data: [] });
    expect(r.ok && r.value.status).toBe('has_permission');
  });
});
