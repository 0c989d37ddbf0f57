import { test } from '@fast-check/vitest';
import { isRight } from 'fp-ts/lib/Either.js';
import { expect } from 'vitest';
import { PermissionRecordCodec } from '../src/internals.js';
import { historyArb, play, policyArb, resolved } from './support/histories.js';

test.prop([policyArb, historyArb])('a persisted record survives a JSON round trip and decodes unchanged', (policy, moves) => {
  const { record } = play(moves, resolved(policy));
  const back: unknown = JSON.parse(JSON.stringify(record));
  expect(back).toEqual(record);
  const decoded = PermissionRecordCodec.decode(back);
  expect(isRight(decoded) && decoded.right).toEqual(record);
});
