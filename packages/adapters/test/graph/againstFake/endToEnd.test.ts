import { describe, expect, it } from 'vitest';
import { clientAgainstFake } from './support/clientAgainstFake.js';
import { createCallPermissions, memoryStore, messengerPolicy } from '@callperm/core';

const thread = { pageId: '1001', psid: '2002' };
const TOKEN = 'EAAendtoendpagetoken0000000000';

const start = clientAgainstFake();

const setup = async () => {
  const { fake, graph, clock } = await start({ accessTokens: TOKEN, appSecret: 'app-secret' }, { accessToken: TOKEN, appSecret: 'app-secret' });
  const permissions = createCallPermissions({ graph, store: memoryStore(), clock, policy: messengerPolicy });
  return { fake, permissions, clock };
};

describe('the core service with graphApi against the fake', () => {
  it('request -> the fake records one opt-in -> refresh reads the fake\'s state', async () => {
    const { fake, permissions, clock } = await setup();
    fake.inbound(thread);

    const sent = await permissions.request(thread);
    expect(sent.ok).toBe(true);
    expect(fake.optIns.map((o) => o.messageId)).toEqual([sent.ok ? sent.value.messageId : 'none']);
    expect((await permissions.status(thread)).state).toBe('requested');

    // The person accepts (as the consumer simulator would); the service learns it from Meta.
    clock.advance('PT5M');
    fake.grant(thread);
    const refreshed = await permissions.refresh(thread);
    expect(refreshed.ok && refreshed.value.state).toBe('approved');
    expect(refreshed.ok && refreshed.value.expiresAt).toBe(Math.floor((clock.now() + 7 * 86_400_000) / 1000) * 1000);
    expect((await permissions.canStartCall(thread)).allowed).toBe(true);

    // A week later Meta reports no permission: the service agrees.
    clock.advance('P7D');
    const later = await permissions.refresh(thread);
    expect(later.ok && later.value.canStartCall).toBe(false);
    expect(fake.optIns).toHaveLength(1);
  });

  it('outside the messaging window the check taken first says so: nothing is sent', async () => {
    const { fake, permissions } = await setup();
    const r = await permissions.request(thread);
    expect(r.ok ? null : r.error.reason).toBe('remote_request_denied');
    expect(fake.requests.map((q) => q.endpoint)).toEqual(['check']);
    expect(fake.optIns).toHaveLength(0);
  });

  it('a send Meta refuses as outside the window comes back as a value, frees the slot and is not tried again', async () => {
    const { fake, permissions, clock } = await setup();
    fake.inbound(thread); // the person wrote to the Page; the host never heard of it
    clock.advance('PT23H50M');
    expect((await permissions.refresh(thread)).ok).toBe(true); // Meta: a request may go
    clock.advance('PT20M'); // Meta's window closes; the check is too young to repeat
    const r = await permissions.request(thread);
    expect(r.ok ? null : r.error.reason).toBe('send_failed');
    expect(!r.ok && 'failure' in r.error ? [r.error.failure.kind, r.error.failure.code] : null).toEqual(['outside_window', 10]);
    expect(fake.optIns).toHaveLength(0);
    const again = await permissions.request(thread);
    expect(again.ok ? null : again.error.reason).toBe('outside_messaging_window');
    expect(fake.requests.filter((q) => q.endpoint === 'send')).toHaveLength(1);
  });

  it('an ambiguous send is never repeated: the fake holds exactly one opt-in and refresh reconciles', async () => {
    const { fake, permissions } = await setup();
    fake.inbound(thread);
    fake.inject('send', { kind: 'reset', after: true });
    const r = await permissions.request(thread);
    expect(r.ok ? null : r.error.reason).toBe('send_ambiguous');
    expect(fake.optIns).toHaveLength(1);
    const refreshed = await permissions.refresh(thread);
    expect(refreshed.ok).toBe(true);
    expect(fake.requests.filter((q) => q.endpoint === 'send')).toHaveLength(1);
  });
});
