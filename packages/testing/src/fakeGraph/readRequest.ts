import type { IncomingMessage } from 'node:http';
import type { FakeEndpoint } from './FaultPlan.js';

/** A request as the fake logs it: where it went, with what, at which virtual instant. */
export interface FakeRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed body (JSON or form fields), `undefined` when empty, the raw text when unreadable. */
  readonly body: unknown;
  readonly endpoint: FakeEndpoint | 'unknown';
  /** The API version in the path (`v26.0`), when there was one. */
  readonly version: string | undefined;
  readonly pageId: string | undefined;
  /** The access token: `Authorization: Bearer`, else `access_token` in the query or body. */
  readonly token: string | undefined;
}

const VERSION = /^v\d+\.\d+$/;

const parseBody = (raw: string, contentType: string): unknown => {
  if (raw === '') return undefined;
  if (contentType.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
};

/** The `action` of a `/calls` body (JSON or form-encoded). */
const actionOf = (body: unknown): unknown =>
  typeof body === 'object' && body !== null && 'action' in body ? body.action : undefined;

const routeOf = (
  method: string, segments: readonly string[], body: unknown, whatsappNumbers: ReadonlySet<string>,
): Pick<FakeRequest, 'endpoint' | 'version' | 'pageId'> => {
  const [first, ...rest] = segments;
  const version = first !== undefined && VERSION.test(first) ? first : undefined;
  const parts = version === undefined ? segments : rest;
  if (method === 'POST' && parts.length === 0) return { endpoint: 'batch', version, pageId: undefined };
  const [pageId, edge] = parts;
  if (parts.length === 2 && pageId !== undefined && whatsappNumbers.has(pageId)) {
    // A WhatsApp business phone number (facts §9): its permission check, messages and calls.
    if (method === 'GET' && edge === 'call_permissions') return { endpoint: 'check', version, pageId };
    if (method === 'POST' && edge === 'messages') return { endpoint: 'send', version, pageId };
    if (method === 'POST' && edge === 'calls') return { endpoint: actionOf(body) === 'connect' ? 'connect' : 'call_action', version, pageId };
    return { endpoint: 'unknown', version, pageId };
  }
  if (parts.length === 2 && pageId !== undefined) {
    if (method === 'GET' && edge === 'messenger_call_permissions') return { endpoint: 'check', version, pageId };
    if (method === 'POST' && edge === 'messages') return { endpoint: 'send', version, pageId };
    if (method === 'POST' && edge === 'business_messaging_feature_status') return { endpoint: 'feature_status', version, pageId };
    if (method === 'POST' && edge === 'calls') return { endpoint: actionOf(body) === 'connect' ? 'connect' : 'call_action', version, pageId };
    if (method === 'GET' && edge === 'messenger_call_settings') return { endpoint: 'call_settings', version, pageId };
  }
  return { endpoint: 'unknown', version, pageId };
};

/**
 * Reads a whole request and works out which Graph endpoint it is for; ids in
 * `whatsappNumbers` are WhatsApp business phone numbers, with WhatsApp's edges.
 *
 * @example
 * const r = await readRequest(req, clock.now());
 * r.endpoint; // 'check'
 */
export const readRequest = async (req: IncomingMessage, at: number, whatsappNumbers: ReadonlySet<string> = new Set()): Promise<FakeRequest> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  const body = parseBody(raw, req.headers['content-type'] ?? '');
  const segments = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  const query = Object.fromEntries(url.searchParams);
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const bodyToken = typeof body === 'object' && body !== null && 'access_token' in body ? body.access_token : undefined;
  const token = bearer ?? query.access_token ?? (typeof bodyToken === 'string' ? bodyToken : undefined);
  return { at, method, path: url.pathname, query, headers: { ...req.headers }, body, ...routeOf(method, segments, body, whatsappNumbers), token };
};
