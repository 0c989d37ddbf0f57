import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { byteSlab } from '../src/memory/byteSlab.js';

const bytesArb = fc.oneof(fc.uint8Array({ maxLength: 60 }), fc.uint8Array({ minLength: 80, maxLength: 300 }));

test.prop([fc.array(fc.tuple(fc.nat({ max: 20 }), bytesArb, fc.boolean()), { maxLength: 200 })])(
  'every key reads back the bytes last written for it, through rewrites, moves between classes and frees',
  (ops) => {
    const slab = byteSlab([16, 48], 4);
    const refs = new Map<number, number>();
    const model = new Map<number, Uint8Array>();
    for (const [key, bytes, drop] of ops) {
      if (drop && refs.has(key)) {
        slab.free(refs.get(key)!);
        refs.delete(key);
        model.delete(key);
        continue;
      }
      refs.set(key, slab.write(refs.get(key) ?? null, bytes));
      model.set(key, bytes);
      for (const [k, ref] of refs) {
        expect(slab.read(ref, (chunk, start, end) => [...chunk.subarray(start, end)])).toEqual([...model.get(k)!]);
      }
    }
  },
);
