import * as t from 'io-ts';
import { CorruptDocError } from '../ports/CorruptDocError.js';
import type { PageCallingStatus, PageCallSettings } from '../ports/GraphApi.js';
import type { PermissionStore } from '../ports/PermissionStore.js';
import { encodeJson, type JsonFormat } from '../store/versionedJson.js';
import type { Instant } from '../thread.js';
import { decodeDoc } from './decodeDoc.js';
import type { PageCallingOff } from './pageCalling.js';

/**
 * What callperm last heard from Meta about a Page: its `messenger_api_calling`
 * feature status and its call settings, with when it asked. Kept as a
 * `page_status` document per Page; `stale` when a `call_settings_update` webhook
 * said the settings moved (then `sweep` asks again).
 */
export interface PageCheck {
  readonly calling: PageCallingStatus | null;
  readonly settings: PageCallSettings | null;
  /** When Meta last answered the feature check (null: never). */
  readonly checkedAt: Instant | null;
  readonly stale: boolean;
}

/**
 * A Page as `pageStatus` reports it: the last check, and the fact every thread's
 * decision reads (`off`, null when calling is on as far as callperm knows).
 */
export interface PageStatus extends PageCheck {
  readonly pageId: string;
  readonly off: PageCallingOff | null;
  /** No fact against the Page's calling: its threads may call when their own permission allows. */
  readonly canCall: boolean;
}

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null]);
const PageCheckCodec: t.Type<PageCheck, PageCheck, unknown> = t.readonly(t.type({
  calling: nullable(t.readonly(t.type({ enabled: t.boolean, status: t.string }))),
  settings: nullable(t.readonly(t.type({ audioEnabled: nullable(t.boolean), videoEnabled: nullable(t.boolean), ringTarget: nullable(t.string) }))),
  checkedAt: nullable(t.number),
  stale: t.boolean,
}));

/**
 * The `page_status` document's stored format. 1: the first.
 *
 * @example
 * encodeJson(pageCheckFormat, { calling: null, settings: null, checkedAt: null, stale: true }); // '{"v":1,...}'
 */
export const pageCheckFormat: JsonFormat<PageCheck> = {
  name: 'page status', field: 'v', version: 1, codec: PageCheckCodec, upgrades: [],
};

const NEVER_CHECKED: PageCheck = { calling: null, settings: null, checkedAt: null, stale: true };

/**
 * Reads a Page's last check with its document version; a document that does not
 * decode reads as never checked (the next `pageStatus` asks Meta again).
 *
 * @example
 * const { check, version } = await readPageCheck(store, '1234');
 */
export const readPageCheck = async (store: PermissionStore, pageId: string): Promise<{ readonly check: PageCheck; readonly version: number }> => {
  const doc = await store.getDoc('page_status', pageId);
  if (doc === null) return { check: NEVER_CHECKED, version: 0 };
  try {
    return { check: decodeDoc('page_status', pageId, doc.value, pageCheckFormat), version: doc.version };
  } catch (e) {
    if (e instanceof CorruptDocError) return { check: NEVER_CHECKED, version: doc.version };
    throw e;
  }
};

/**
 * Writes a Page's check over `version` (a conflict means another host checked
 * meanwhile: its word stands). A stale check is due at once, for `sweep`.
 *
 * @example
 * await writePageCheck(store, '1234', version, { ...check, stale: true }, now);
 */
export const writePageCheck = async (store: PermissionStore, pageId: string, version: number, check: PageCheck, now: Instant): Promise<void> => {
  await store.putDoc('page_status', pageId, version, encodeJson(pageCheckFormat, check), { now, dueAt: check.stale ? now : null, expiresAt: null });
};

/**
 * Marks a Page's check stale (its settings moved): `sweep` checks the Page again.
 *
 * @example
 * await markPageStale(store, '1234', now);
 */
export const markPageStale = async (store: PermissionStore, pageId: string, now: Instant): Promise<void> => {
  const { check, version } = await readPageCheck(store, pageId);
  if (check.stale && version > 0) return;
  await writePageCheck(store, pageId, version, { ...check, stale: true }, now);
};
