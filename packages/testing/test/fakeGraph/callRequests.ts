import type { FakeGraphApi } from '@callperm/testing';

/** Meta's answer: status and JSON body (`{}` when the body was not JSON). */
export interface CallAnswer {
  readonly status: number;
  readonly json: Record<string, unknown> & { error?: { message: string; type: string; code: number; error_subcode?: number; fbtrace_id?: string } };
}

export const OFFER = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

/** A Graph request with a token (`Bearer t`) unless `token` is null; JSON body when given. */
export const graph = async (f: FakeGraphApi, method: string, path: string, body?: unknown, token: string | null = 't'): Promise<CallAnswer> => {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${f.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  let json: unknown = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: a 5xx page or a malformed body
  }
  return { status: res.status, json: json as CallAnswer['json'] };
};

/** `POST /v26.0/{page}/calls` with `action: connect` to `psid` (facts §5). */
export const connect = (f: FakeGraphApi, pageId: string, psid: string, extra: Record<string, unknown> = {}) =>
  graph(f, 'POST', `/v26.0/${pageId}/calls`, { platform: 'messenger', to: psid, action: 'connect', session: { sdp_type: 'offer', sdp: OFFER }, ...extra });

/** `POST /v26.0/{page}/calls` with `terminate`, `accept` or `reject`. */
export const act = (f: FakeGraphApi, pageId: string, action: 'terminate' | 'accept' | 'reject', callId: string) =>
  graph(f, 'POST', `/v26.0/${pageId}/calls`, {
    platform: 'messenger', call_id: callId, action, ...(action === 'accept' ? { session: { sdp_type: 'offer', sdp: OFFER } } : {}),
  });

/** The `start_call` action of a permission check (flat shape). */
export const startCall = async (f: FakeGraphApi, pageId: string, psid: string) => {
  const r = await graph(f, 'GET', `/v26.0/${pageId}/messenger_call_permissions?psid=${psid}`);
  const actions = r.json.actions as { action_name: string; can_perform: boolean; limits?: unknown[] }[];
  return actions.find((a) => a.action_name === 'start_call')!;
};
