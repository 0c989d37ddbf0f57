import type { PageCallSettings } from '@callperm/core';

/** The fields asked of `GET /{page-id}/messenger_call_settings` (the reference's `fields` names). */
export const CALL_SETTINGS_FIELDS = 'audio_enabled,video_enabled,call_routing';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A switch as Meta may word it: a boolean, `ENABLED`/`DISABLED` or `true`/`false` in any casing; anything else is null. */
const switchOf = (v: unknown): boolean | null => {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return null;
  const word = v.trim().toLowerCase();
  if (word === 'enabled' || word === 'true') return true;
  if (word === 'disabled' || word === 'false') return false;
  return null;
};

/** A switch, or an object whose `enabled` is one (`audio: { enabled: true }`). */
const switchOrObject = (v: unknown): boolean | null => (isRecord(v) ? switchOf(v.enabled) : switchOf(v));

/** The first of `{kind}_enabled`, `{kind}` (`{ enabled }`) and `{kind}_calling` that reads as a switch, one rule per name. */
const featureOf = (node: Readonly<Record<string, unknown>>, kind: 'audio' | 'video'): boolean | null =>
  switchOrObject(node[`${kind}_enabled`]) ?? switchOrObject(node[kind]) ?? switchOrObject(node[`${kind}_calling`]);

/** The reference's two targets, in Meta's casing; another word is kept as sent. */
const RING_TARGETS = new Map([['partners', 'PARTNERS'], ['meta', 'META']]);

/** `call_routing.ring_target`, else a flat `ring_target`: a non-empty string, `PARTNERS`/`META` in Meta's casing. */
const ringTargetOf = (node: Readonly<Record<string, unknown>>): string | null => {
  const raw = isRecord(node.call_routing) && typeof node.call_routing.ring_target === 'string' ? node.call_routing.ring_target
    : typeof node.ring_target === 'string' ? node.ring_target : null;
  if (raw === null || raw.trim() === '') return null;
  return RING_TARGETS.get(raw.trim().toLowerCase()) ?? raw;
};

/**
 * Reads Meta's answer to `GET /{page-id}/messenger_call_settings` leniently, since
 * Meta documents it poorly: the settings object flat, or as the first object of a
 * `data: [ … ]` edge (the v26 reference), or a lone `data` object. Audio (and video
 * alike) from `audio_enabled`, `audio: { enabled }` or `audio_calling`, each a boolean
 * or `ENABLED`/`DISABLED` in any casing; the ring target from
 * `call_routing.ring_target` or `ring_target`. What is absent or unreadable is null
 * (an empty `data` edge gives all nulls). `null` only when the body is not an object.
 *
 * @example
 * parseCallSettings({ data: [{ audio_enabled: true, call_routing: { ring_target: 'PARTNERS' } }] });
 * // { audioEnabled: true, videoEnabled: null, ringTarget: 'PARTNERS' }
 * parseCallSettings({ audio: { enabled: 'DISABLED' } }); // { audioEnabled: false, videoEnabled: null, ringTarget: null }
 * parseCallSettings('on'); // null
 */
export const parseCallSettings = (body: unknown): PageCallSettings | null => {
  if (!isRecord(body)) return null;
  const edge = Array.isArray(body.data) ? (body.data as unknown[]).find(isRecord) ?? {} : isRecord(body.data) ? body.data : body;
  return { audioEnabled: featureOf(edge, 'audio'), videoEnabled: featureOf(edge, 'video'), ringTarget: ringTargetOf(edge) };
};
