import { describe, expect, it } from 'vitest';
import { threadKey } from '@callperm/core';
import { CliError } from '../src/CliError.js';
import { parseThread } from '../src/parseThread.js';

describe('parseThread', () => {
  it('reads Messenger threads as PAGE:PSID or two arguments, WhatsApp threads as wa:PHONE_NUMBER_ID:WA_ID', () => {
    expect(parseThread('1234:5678')).toEqual({ pageId: '1234', psid: '5678' });
    expect(parseThread('1234', '5678')).toEqual({ pageId: '1234', psid: '5678' });
    expect(parseThread('wa:1065:4915112345678')).toEqual({ channel: 'whatsapp', pageId: '1065', psid: '4915112345678' });
    expect(parseThread('wa:1065', '4915112345678')).toEqual({ channel: 'whatsapp', pageId: '1065', psid: '4915112345678' });
  });

  it('reads back what threadKey prints, for both channels', () => {
    for (const t of [{ pageId: '1', psid: '2' }, { channel: 'whatsapp' as const, pageId: '3', psid: '4' }]) expect(parseThread(threadKey(t))).toEqual(t);
  });

  it('refuses anything else with a usage error', () => {
    for (const bad of ['1234', '1234:', ':5678', 'wa:', 'wa:1065', '12 34:5', '1:2:3']) {
      expect(() => parseThread(bad)).toThrow(CliError);
    }
  });
});
