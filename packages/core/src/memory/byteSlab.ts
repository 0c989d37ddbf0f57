/**
 * Fixed-size byte slots in large preallocated chunks, one size class per record
 * length band, with free lists: a record rewritten in place allocates nothing and
 * leaves nothing for the GC, however many threads are stored. A slot holds a
 * 16-bit length and that many bytes; longer records get a byte array each. Refs are small integers (size class in the
 * low bits), so a Map from thread key to ref holds no object per thread.
 *
 * @example
 * const slab = byteSlab();
 * const ref = slab.write(null, bytes);
 * slab.read(ref, (chunk, start, end) => unpackRecordBytes(chunk, start, end));
 */
export const byteSlab = (classes: readonly number[] = [56, 96], slotsPerChunk = 8192) => {
  if (classes.length > 3) throw new RangeError('byteSlab: at most 3 size classes');
  const bands = classes.map((size) => ({ size, chunks: [] as Uint8Array[], free: [] as number[], next: 0 }));
  /** Records longer than every class: kept as their own byte arrays. */
  const large: (Uint8Array | undefined)[] = [];
  const largeFree: number[] = [];
  const LARGE = classes.length;
  const KINDS = 4; // a ref is slot * KINDS + class (the large band is class `classes.length`)

  const classFor = (length: number): number => {
    for (let c = 0; c < bands.length; c += 1) if (length + 2 <= bands[c]!.size) return c;
    return LARGE;
  };
  const bandOf = (c: number) => bands[c]!;

  const release = (ref: number): void => {
    const c = ref % KINDS;
    const slot = Math.floor(ref / KINDS);
    if (c === LARGE) {
      large[slot] = undefined;
      largeFree.push(slot);
    } else bandOf(c).free.push(slot);
  };

  const allocate = (c: number, length: number): number => {
    if (c === LARGE) {
      const slot = largeFree.pop() ?? large.length;
      large[slot] = new Uint8Array(length);
      return slot * KINDS + c;
    }
    const band = bandOf(c);
    let slot = band.free.pop();
    if (slot === undefined) {
      slot = band.next;
      band.next += 1;
      if (Math.floor(slot / slotsPerChunk) === band.chunks.length) band.chunks.push(new Uint8Array(band.size * slotsPerChunk));
    }
    return slot * KINDS + c;
  };

  return {
    /** Stores `bytes`, reusing `ref`'s slot when the length fits its class; returns the (possibly new) ref. */
    write(ref: number | null, bytes: Uint8Array): number {
      const c = classFor(bytes.length);
      let target = ref;
      if (target === null || target % KINDS !== c || c === LARGE) {
        if (target !== null) release(target);
        target = allocate(c, bytes.length);
      }
      const slot = Math.floor(target / KINDS);
      if (c === LARGE) {
        large[slot]!.set(bytes);
        return target;
      }
      const band = bandOf(c);
      const chunk = band.chunks[Math.floor(slot / slotsPerChunk)]!;
      const offset = (slot % slotsPerChunk) * band.size;
      chunk[offset] = bytes.length & 255;
      chunk[offset + 1] = bytes.length >> 8;
      chunk.set(bytes, offset + 2);
      return target;
    },
    /** Calls `use` with the slot's chunk and the byte range it holds. */
    read<T>(ref: number, use: (chunk: Uint8Array, start: number, end: number) => T): T {
      const c = ref % KINDS;
      const slot = Math.floor(ref / KINDS);
      if (c === LARGE) {
        const bytes = large[slot]!;
        return use(bytes, 0, bytes.length);
      }
      const band = bandOf(c);
      const chunk = band.chunks[Math.floor(slot / slotsPerChunk)]!;
      const offset = (slot % slotsPerChunk) * band.size;
      return use(chunk, offset + 2, offset + 2 + chunk[offset]! + chunk[offset + 1]! * 256);
    },
    free: release,
    clear(): void {
      for (const band of bands) {
        band.chunks.length = 0;
        band.free.length = 0;
        band.next = 0;
      }
      large.length = 0;
      largeFree.length = 0;
    },
  };
};
