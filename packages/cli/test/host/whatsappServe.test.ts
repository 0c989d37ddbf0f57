import { consumers, createConsumerSimulator, createFakeGraphApi, VirtualClock, type ConsumerSimulator, type FakeGraphApi } from '@callperm/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scratchDir } from '../support/captureIo.js';
import { rawRequest } from '../support/rawRequest.js';
import { serveInProcess, type Served } from '../support/serveInProcess.js';

const API_TOKEN = 'whatsapp-serve-api-token-0123456789';
const PAGE_TOKEN = 'whatsapp-serve-page-token';
const WA_TOKEN = 'whatsapp-serve-wa-token';
const APP_SECRET = 'whatsapp-serve-app-secret';
const NUMBER = '106540352242922';
const WA = '4915112345678';
const thread = { channel: 'whatsapp', pageId: NUMBER, psid: WA } as const;
const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

/**
 * `callperm serve` with both channels configured from the environment (a Page
 * token and a WhatsApp token): WhatsApp threads over the JSON API as
 * `/threads/wa:NUMBER/WA_ID/...`, the person's answers as signed
 * `whatsapp_business_account` webhooks to the same receiver.
 */
describe('callperm serve with WHATSAPP_ACCESS_TOKEN: WhatsApp threads over the JSON API', () => {
  const scratch = scratchDir();
  let clock: VirtualClock;
  let fake: FakeGraphApi;
  let served: Served;
  let sim: ConsumerSimulator;

  beforeEach(async () => {
    clock = new VirtualClock(Date.UTC(2026, 11, 1, 9));
    fake = await createFakeGraphApi({ clock, accessTokens: { [NUMBER]: WA_TOKEN, '1000001': PAGE_TOKEN }, whatsappNumbers: [NUMBER] });
    served = await serveInProcess({
      PAGE_ACCESS_TOKEN: PAGE_TOKEN, WHATSAPP_ACCESS_TOKEN: WA_TOKEN, WHATSAPP_NUMBERS: NUMBER,
      APP_SECRET, VERIFY_TOKEN: 'v', GRAPH_BASE_URL: fake.url, CALLPERM_API_TOKEN: API_TOKEN,
    }, scratch.dir, ['--store', 'memory'], clock);
    sim = createConsumerSimulator({ fake, hostUrl: `${served.url}/webhook`, appSecret: APP_SECRET, behaviour: consumers.approveAfter(30_000) });
  });
  afterEach(async () => {
    sim.close();
    expect(await served.stop()).toBe(0);
    await fake.close();
    scratch.cleanup();
  });

  const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const r = await rawRequest(served.url, {
      method, path, headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, json: JSON.parse(r.body) as Record<string, unknown> };
  };
  const path = `/threads/wa:${NUMBER}/${WA}`;

  it('asks with the interactive request, learns the approval from the webhook, places a call, and keeps the Messenger thread of the same ids apart', async () => {
    sim.message(thread); // the customer-service window opens
    await sim.settle();
    const asked = await api('POST', `${path}/request`);
    expect(asked.status).toBe(200);
    expect(fake.sends.map((s) => [s.channel, s.outcome, s.message])).toEqual([['whatsapp', 'accepted', 'interactive']]);
    clock.advance(30_000);
    await sim.settle();
    const status = await api('GET', path);
    expect([status.status, status.json.state, status.json.canStartCall]).toEqual([200, 'approved', true]);

    const call = await api('POST', `${path}/call`, { sdp });
    expect(call.status).toBe(200);
    expect(String(call.json.callId)).toMatch(/^wacid\./);
    expect(call.json.sdpAnswer).toBeNull(); // WhatsApp sends it in the connect webhook
    const ended = await api('POST', `/calls/${NUMBER}/${String(call.json.callId)}/terminate`, {});
    expect(ended.status).toBe(200);

    // The same digits as a Messenger thread: a thread of its own, never asked.
    const messenger = await api('GET', `/threads/${NUMBER}/${WA}`);
    expect(messenger.json.state).toBe('none');
  });

  it('a person who never wrote is not asked (no template configured): 409 messaging_window_unknown, nothing sent', async () => {
    const refused = await api('POST', `${path}/request`);
    expect([refused.status, refused.json.reason]).toEqual([409, 'messaging_window_unknown']);
    expect(fake.sends).toHaveLength(0);
  });
});
