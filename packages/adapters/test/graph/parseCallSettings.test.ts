import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { PageCallSettings } from '@callperm/core';
import { graphApi, UnknownGraphError } from '@callperm/adapters/graph';
import { VirtualClock } from '@callperm/testing';
import { parseCallSettings } from '../../src/graph/parseCallSettings.js';
import { scriptedGraph, type ScriptedGraph } from './support/scriptedGraph.js';

const NONE: PageCallSettings = { audioEnabled: null, videoEnabled: null, ringTarget: null };

/** Every shape Meta's pages and integrators show (facts §1.4, §4.6), and what callperm reads of it. */
const FIXTURES: readonly (readonly [string, unknown, PageCallSettings])[] = [
  ['the v26 reference: a data edge with booleans and call_routing',
    { data: [{ audio_enabled: true, icon_enabled: true, video_enabled: false, call_routing: { ring_target: 'PARTNERS' }, call_hours: { timezone_id: 'UTC' } }] },
    { audioEnabled: true, videoEnabled: false, ringTarget: 'PARTNERS' }],
  ['a flat object with booleans',
    { audio_enabled: false, video_enabled: true, call_routing: { ring_target: 'META' } },
    { audioEnabled: false, videoEnabled: true, ringTarget: 'META' }],
  ['audio: { enabled } and video: { enabled } objects',
    { audio: { enabled: true }, video: { enabled: false } },
    { audioEnabled: true, videoEnabled: false, ringTarget: null }],
  ['audio_calling / video_calling as ENABLED / DISABLED strings',
    { audio_calling: 'ENABLED', video_calling: 'DISABLED' },
    { audioEnabled: true, videoEnabled: false, ringTarget: null }],
  ['the strings in any casing, with spaces',
    { audio_enabled: ' Enabled ', video_enabled: 'disabled' },
    { audioEnabled: true, videoEnabled: false, ringTarget: null }],
  ['audio_calling as a boolean',
    { audio_calling: false },
    { audioEnabled: false, videoEnabled: null, ringTarget: null }],
  ['audio: { enabled: "ENABLED" } inside a data edge',
    { data: [{ audio: { enabled: 'ENABLED' } }] },
    { audioEnabled: true, videoEnabled: null, ringTarget: null }],
  ['a flat ring_target',
    { audio_enabled: true, ring_target: 'PARTNERS' },
    { audioEnabled: true, videoEnabled: null, ringTarget: 'PARTNERS' }],
  ['ring targets in another casing come back in Meta\'s',
    { call_routing: { ring_target: 'partners' } },
    { audioEnabled: null, videoEnabled: null, ringTarget: 'PARTNERS' }],
  ['an unknown ring target is kept as sent',
    { call_routing: { ring_target: 'SOMEWHERE_NEW' } },
    { audioEnabled: null, videoEnabled: null, ringTarget: 'SOMEWHERE_NEW' }],
  ['call_routing wins over a flat ring_target',
    { call_routing: { ring_target: 'META' }, ring_target: 'PARTNERS' },
    { audioEnabled: null, videoEnabled: null, ringTarget: 'META' }],
  ['audio_enabled wins over audio and audio_calling',
    { audio_enabled: false, audio: { enabled: true }, audio_calling: 'ENABLED' },
    { audioEnabled: false, videoEnabled: null, ringTarget: null }],
  ['an unreadable audio_enabled falls through to audio_calling',
    { audio_enabled: 'maybe', audio_calling: 'DISABLED' },
    { audioEnabled: false, videoEnabled: null, ringTarget: null }],
  ['unknown words, numbers and nulls are null',
    { audio_enabled: 'PENDING', video_enabled: 1, call_routing: { ring_target: 7 }, audio: null },
    NONE],
  ['an empty ring target is null', { ring_target: '  ' }, NONE],
  ['an empty data edge', { data: [] }, NONE],
  ['a data edge whose first item is not an object: the first object is read',
    { data: [null, 'x', { audio_enabled: true }] },
    { audioEnabled: true, videoEnabled: null, ringTarget: null }],
  ['a lone data object', { data: { video_enabled: 'ENABLED' } }, { audioEnabled: null, videoEnabled: true, ringTarget: null }],
  ['an empty object', {}, NONE],
  ['the POST acknowledgement shape', { result: 'success' }, NONE],
];

describe('parseCallSettings fixtures', () => {
  for (const [what, body, expected] of FIXTURES) {
    it(what, () => expect(parseCallSettings(body)).toEqual(expected));
  }

  it('a body that is not an object is not read', () => {
    for (const body of [null, [], 'ENABLED', 42, true, [{ audio_enabled: true }]]) expect(parseCallSettings(body)).toBeNull();
  });

  test.prop([fc.jsonValue()])('never throws; an object always reads as three fields, each null or of its type', (body) => {
    const r = parseCallSettings(body);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) expect(r).toBeNull();
    else {
      expect(r).not.toBeNull();
      expect([null, true, false]).toContain(r?.audioEnabled);
      expect([null, true, false]).toContain(r?.videoEnabled);
      expect(r?.ringTarget === null || typeof r?.ringTarget === 'string').toBe(true);
    }
  });
});

describe('checkCallSettings over real HTTP', () => {
  let stub: ScriptedGraph;
  beforeAll(async () => { stub = await scriptedGraph(); });
  afterAll(async () => { await stub.close(); });
  beforeEach(() => stub.reset());
  const client = () => graphApi({ accessToken: 'token', baseUrl: stub.url, clock: new VirtualClock(0), retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 5 } });

  for (const [what, body, expected] of FIXTURES) {
    it(`reads ${what}`, async () => {
      stub.answer(() => ({ status: 200, body }));
      const graph = client();
      try {
        expect(await graph.checkCallSettings('1001')).toEqual({ ok: true, value: expected });
      } finally {
        graph.close();
      }
    });
  }

  it('a 200 that is not an object is an unknown failure, as for the other reads', async () => {
    stub.answer(() => ({ status: 200, body: '["ENABLED"]' }));
    const graph = client();
    try {
      const r = await graph.checkCallSettings('1001');
      expect(r.ok ? null : r.error).toBeInstanceOf(UnknownGraphError);
      expect(stub.requests).toHaveLength(1);
    } finally {
      graph.close();
    }
  });
});
