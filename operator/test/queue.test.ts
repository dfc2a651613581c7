import { jest } from '@jest/globals';
import { WorkQueue } from '../src/runtime/queue.js';

describe('WorkQueue', () => {
  test('when a key is added twice while queued, then it is handed out once', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.depth).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.depth).toBe(0);
  });

  test('when a key is added while processing, then it is not handed out concurrently but once after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    q.add('a');
    q.add('a');
    expect(q.depth).toBe(0); // not handed to a second worker
    q.done(first!);
    expect(q.depth).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(q.depth).toBe(0);
  });

  test('when a worker waits on an empty queue, then it gets the next added key', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.add('x');
    expect(await waiting).toBe('x');
  });

  test('when a key keeps failing, then its delay doubles up to the cap, and forget resets it', () => {
    jest.useFakeTimers();
    try {
      const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50 });
      expect([1, 2, 3, 4].map(() => q.addRateLimited('k'))).toEqual([10, 20, 40, 50]);
      expect(q.addRateLimited('other')).toBe(10);
      q.forget('k');
      expect(q.addRateLimited('k')).toBe(10);
      jest.advanceTimersByTime(10);
      expect(q.depth).toBe(2);
      q.shutDown();
    } finally {
      jest.useRealTimers();
    }
  });

  test('when a delayed add is pending, then an earlier one replaces it and a later one does not', () => {
    jest.useFakeTimers();
    try {
      const q = new WorkQueue();
      q.addAfter('k', 1000);
      q.addAfter('k', 100);
      q.addAfter('k', 5000);
      jest.advanceTimersByTime(100);
      expect(q.depth).toBe(1);
      q.shutDown();
    } finally {
      jest.useRealTimers();
    }
  });

  test('when the queue shuts down, then waiting workers get undefined', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add('late');
    expect(q.depth).toBe(0);
  });
});
