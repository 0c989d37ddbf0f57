import { metrics, trace } from '@opentelemetry/api';
import { createCallPermissions, memoryStore, type CallpermLogger } from '@callperm/core';
import { graphApi } from '@callperm/adapters/graph';
import { createWebhookHandler } from '@callperm/adapters/webhook';
import { createFakeGraphApi, pageWebhook, permissionReplyEntry, VirtualClock } from '@callperm/testing';
import { describe, expect, it } from 'vitest';
import { ServiceTelemetry } from '../../../core/src/telemetry/serviceTelemetry.js';
import { GraphTelemetry } from '../../src/telemetry/graphTelemetry.js';
import { WebhookTelemetry } from '../../src/telemetry/webhookTelemetry.js';
import { signedPost } from '../webhook/coreRequest.js';
import { settled } from './otelHarness.js';

describe('OpenTelemetry installed but no provider registered', () => {
  it('every instrument stays off (no meter, no tracer), and the service, client and receiver work as before', async () => {
    metrics.disable();
    trace.disable();
    const service = new ServiceTelemetry();
    const client = new GraphTelemetry();
    const receiver = new WebhookTelemetry(undefined);
    await settled();
    expect([service.on, client.on, receiver.on]).toEqual([false, false, false]);

    const clock = new VirtualClock(Date.UTC(2026, 5, 1, 9));
    const fake = await createFakeGraphApi({ clock, accessTokens: 'tok' });
    const graph = graphApi({ accessToken: 'tok', baseUrl: fake.url, clock });
    const permissions = createCallPermissions({ graph, store: memoryStore(), clock });
    const webhook = createWebhookHandler({ appSecret: 's3cret', verifyToken: 'v', permissions });
    try {
      await settled();
      const thread = { pageId: '501', psid: '24681357900011' };
      fake.inbound(thread);
      expect((await permissions.request(thread)).ok).toBe(true);
      clock.advance(30_000);
      const res = await webhook.core.handle(signedPost('s3cret', JSON.stringify(pageWebhook([permissionReplyEntry({ ...thread, at: clock.now(), response: 'approve' })]))));
      expect(res.status).toBe(200);
      expect(await permissions.status(thread)).toMatchObject({ state: 'approved' });
      expect(await permissions.sweep()).toMatchObject({ failed: 0 });
    } finally {
      graph.close();
      await fake.close();
    }
  });

  it('without @opentelemetry/api installed (the import fails) the service\'s telemetry stays off', async () => {
    const absent = new ServiceTelemetry(() => Promise.reject(new Error('ERR_MODULE_NOT_FOUND')));
    const nothing = new ServiceTelemetry(() => Promise.resolve(null));
    await Promise.all([absent.ready, nothing.ready]);
    expect([absent.on, nothing.on]).toEqual([false, false]);
  });

  it('a logger alone turns the receiver\'s hook on (for refusals), with no meter', async () => {
    const receiver = new WebhookTelemetry({ debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined });
    await receiver.ready;
    expect(receiver.on).toBe(true);
  });

  it('takes a pino-shaped logger as it is (its overloaded LogFn type-checks as CallpermLogger)', () => {
    interface PinoLogFn {
      <T extends object>(obj: T, msg?: string, ...args: unknown[]): void;
      (obj: unknown, msg?: string, ...args: unknown[]): void;
      (msg: string, ...args: unknown[]): void;
    }
    const lines: unknown[] = [];
    const fn: PinoLogFn = (...args: unknown[]) => { lines.push(args); };
    const pinoLike: { level: string; debug: PinoLogFn; info: PinoLogFn; warn: PinoLogFn; error: PinoLogFn; fatal: PinoLogFn } = {
      level: 'info', debug: fn, info: fn, warn: fn, error: fn, fatal: fn,
    };
    const logger: CallpermLogger = pinoLike;
    logger.warn({ event: 'x' }, 'y');
    expect(lines).toEqual([[{ event: 'x' }, 'y']]);
  });
});
