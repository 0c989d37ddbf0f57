import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { CliError } from '../../src/CliError.js';
import { openStore } from '../../src/store/openStore.js';
import { describeStore, parseStoreSpec } from '../../src/store/parseStoreSpec.js';

const PW = 'pw-canary-7f3a9c';
const label = (spec: string): string => describeStore(parseStoreSpec(spec, '/'));

describe('store labels hide passwords', () => {
  const cases = [
    `redis://:${PW}@127.0.0.1:6379`,
    `rediss://default:${PW}@cache.example:6380#sim`,
    `redis://127.0.0.1:6379?password=${PW}`,
    `postgres://user:${PW}@db.example/app?password=${PW}&sslpassword=${PW}&sslmode=require`,
    `postgresql://user:${PW}@h1:5432,h2:5432/app`,
    `postgres://user:${PW.slice(0, 4)}@/${PW.slice(4)}@db.example/app`,
    `postgres://user:${encodeURIComponent(`${PW}:@/`)}@db.example/app?PassWord=${PW}`,
    `postgres://user@db.example/app?sslpassword=${encodeURIComponent(PW)}`,
  ];
  for (const spec of cases) {
    it(`${spec.split('://')[0]}: ${spec.length} chars`, () => {
      const out = label(spec);
      expect(out).not.toContain(PW);
      expect(out).not.toContain(PW.slice(4));
      expect(out).toContain('***');
    });
  }

  it('keeps what is not secret', () => {
    expect(label('postgres://user:x@db.example:5433/app?sslmode=require#s1')).toBe('postgres://user:***@db.example:5433/app?sslmode=require#s1');
    expect(label('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  test.prop([fc.string({ minLength: 6, maxLength: 40 }).filter((s) => !/[#?&=]/.test(s) && s.trim() === s)])('any password in the user info is hidden', (pw) => {
    const out = label(`postgres://user:${pw}@db.example/app?password=${encodeURIComponent(pw)}`);
    expect(out).not.toContain(pw);
  });

  it('an unknown scheme is refused without echoing its password', () => {
    try {
      parseStoreSpec(`mysql://root:${PW}@db/app`, '/');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CliError);
      expect((e as CliError).code).toBe('usage');
      expect((e as CliError).message).not.toContain(PW);
    }
  });

  it('a malformed #namespace is a usage error, not a crash', () => {
    expect(() => parseStoreSpec('redis://127.0.0.1:6379#%E0%A4%A', '/')).toThrow(CliError);
  });

  it('a store that fails to open reports no password, in the message or the cause chain', async () => {
    // Nothing listens on port 1: the driver fails, and may quote the URL it was given.
    const e = await openStore(parseStoreSpec(`postgres://user:${PW}@127.0.0.1:1/app?password=${PW}`, '/')).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).code).toBe('store');
    const err = e as CliError & { cause?: Error };
    const text = JSON.stringify({ m: err.message, s: err.stack, c: err.cause?.message, cs: err.cause?.stack });
    expect(text).not.toContain(PW);
  });
});
