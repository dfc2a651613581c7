import { newerThanShown, Pager, type Page } from '../../src/lib/paging';

/** A list of 1..n served in pages of `size` with opaque cursors, like the API. */
function pagedList(n: number, size: number) {
  const calls: Array<string | undefined> = [];
  const load = async (cursor: string | undefined): Promise<Page<number>> => {
    calls.push(cursor);
    const start = cursor ? Number(atob(cursor)) : 0;
    const items = Array.from({ length: Math.min(size, n - start) }, (_, i) => start + i + 1);
    const next = start + size;
    return next < n ? { items, nextCursor: btoa(String(next)) } : { items };
  };
  return { load, calls };
}

describe('Pager', () => {
  test('when pages are loaded one after another, then cursors are followed until nextCursor is absent', async () => {
    const list = pagedList(5, 2);
    const pager = new Pager(list.load, String);
    await pager.next();
    await pager.next();
    await pager.next();
    await pager.next(); // after the last page: no request
    expect(pager.items).toEqual([1, 2, 3, 4, 5]);
    expect(pager.done).toBe(true);
    expect(list.calls).toEqual([undefined, btoa('2'), btoa('4')]);
  });

  test('when next is called while a page loads, then only one request is made', async () => {
    const list = pagedList(10, 3);
    const pager = new Pager(list.load, String);
    await Promise.all([pager.next(), pager.next(), pager.next()]);
    expect(list.calls).toHaveLength(1);
    expect(pager.items).toEqual([1, 2, 3]);
  });

  test('when an item shows up again on a later page (new posts shifted the list), then it is shown once', async () => {
    const pages: Page<string>[] = [{ items: ['c', 'b'], nextCursor: 'x' }, { items: ['b', 'a'] }];
    const pager = new Pager(
      async () => pages.shift()!,
      (s) => s,
    );
    await pager.next();
    pager.prepend(['d']);
    await pager.next();
    expect(pager.items).toEqual(['d', 'c', 'b', 'a']);
  });

  test('when a page fails, then the error is kept and the same cursor is retried', async () => {
    let fail = true;
    const list = pagedList(4, 2);
    const pager = new Pager(async (cursor) => {
      if (cursor && fail) {
        fail = false;
        throw new Error('boom');
      }
      return list.load(cursor);
    }, String);
    await pager.next();
    await pager.next();
    expect((pager.error as Error).message).toBe('boom');
    await pager.next();
    expect(pager.error).toBeNull();
    expect(pager.items).toEqual([1, 2, 3, 4]);
  });

  test('when reset while a page is loading, then the stale page is dropped', async () => {
    let release: (page: Page<number>) => void = () => {};
    const pager = new Pager(
      () => new Promise<Page<number>>((resolve) => (release = resolve)),
      String,
    );
    const loading = pager.next();
    pager.reset();
    release({ items: [1] });
    await loading;
    expect(pager.items).toEqual([]);
  });
});

describe('newerThanShown', () => {
  test('when the head has new entries, then those before the first shown one are new', () => {
    const shown = new Set(['p3', 'p2']);
    expect(newerThanShown(['p5', 'p4', 'p3', 'p2'], (id) => shown.has(id))).toEqual(['p5', 'p4']);
    expect(newerThanShown(['p3'], (id) => shown.has(id))).toEqual([]);
  });
});

describe('Pager.fillIn', () => {
  const newer = (a: number, b: number) => a > b;
  const loaded = async (pages: Page<number>[]) => {
    const pager = new Pager(async () => pages.shift()!, String);
    await pager.next();
    return pager;
  };

  test('when older items come in below the top, then each goes in its place and the top stays', async () => {
    const pager = await loaded([{ items: [90, 70, 50] }]);
    pager.fillIn([90, 80, 60, 10], newer);
    expect(pager.items).toEqual([90, 80, 70, 60, 50, 10]);
  });

  test('when an item belongs past the last loaded page, then it is left to that page', async () => {
    const pager = await loaded([{ items: [90, 70], nextCursor: 'next' }, { items: [40, 30] }]);
    pager.fillIn([80, 30], newer);
    expect(pager.items).toEqual([90, 80, 70]);
    await pager.next();
    expect(pager.items).toEqual([90, 80, 70, 40, 30]);
  });
});
