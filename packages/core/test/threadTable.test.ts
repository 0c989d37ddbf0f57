import { describe, expect, it } from 'vitest';
import { threadTable } from '../src/cache/threadTable.js';

const t = (page: number, psid: number) => ({ pageId: String(page), psid: String(psid) });

describe('threadTable', () => {
  it('never holds more than its bound, across pages', () => {
    const table = threadTable<number>(5);
    for (let i = 0; i < 50; i += 1) {
      table.set(t(i % 3, i), i);
      if (i % 4 === 0) table.get(t(i % 3, i));
    }
    expect(table.size()).toBe(5);
    expect(table.get(t(49 % 3, 49))).toBe(49);
  });

  it('gives a recently read entry a second chance over an unread older one', () => {
    const table = threadTable<number>(3);
    table.set(t(1, 1), 1);
    table.set(t(1, 2), 2);
    table.set(t(2, 3), 3);
    table.get(t(1, 1));
    table.set(t(2, 4), 4);
    expect(table.peek(t(1, 1))).toBe(1);
    expect(table.peek(t(2, 4))).toBe(4);
    expect([table.peek(t(1, 2)), table.peek(t(2, 3))].filter((v) => v !== undefined)).toHaveLength(1);
    expect(table.size()).toBe(3);
  });

  it('replaces in place and deletes', () => {
    const table = threadTable<string>(2);
    table.set(t(1, 1), 'a');
    table.set(t(1, 1), 'b');
    expect(table.get(t(1, 1))).toBe('b');
    table.delete(t(1, 1));
    expect(table.get(t(1, 1))).toBeUndefined();
    expect(table.size()).toBe(0);
  });
});
