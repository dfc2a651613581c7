import { openEventStream, SseParser, type SseEvent } from '../../src/lib/sse';

describe('SseParser', () => {
  test('when a stream sends events, comments and ids, then each blank line dispatches one event', () => {
    const parser = new SseParser();
    const events = parser.push(
      ': ping\n\nevent: notification\nid: 0001\ndata: {"a":1}\n\ndata: plain\n\n',
    );
    expect(events).toEqual([
      { event: 'notification', id: '0001', data: '{"a":1}' },
      { event: 'message', id: '0001', data: 'plain' },
    ]);
  });

  test('when data spans lines and chunks split anywhere (even inside CRLF), then it is reassembled', () => {
    const parser = new SseParser();
    const text = 'id: 7\r\ndata: first\r\ndata:second\r\n\r\nretry: 2500\r\n';
    const events: SseEvent[] = [];
    for (const ch of text) events.push(...parser.push(ch));
    expect(events).toEqual([{ event: 'message', id: '7', data: 'first\nsecond' }]);
    expect(parser.retry).toBe(2500);
  });

  test('when an event has no data, then nothing is dispatched but its id is remembered', () => {
    const parser = new SseParser();
    expect(parser.push('id: 9\nevent: x\n\n')).toEqual([]);
    expect(parser.lastEventId).toBe('9');
    expect(parser.push('data: y\r\r')).toEqual([{ event: 'message', id: '9', data: 'y' }]);
  });
});

/** A response whose body streams the given chunks, then ends. */
const streaming = (chunks: string[], status = 200) =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    }),
    { status, headers: { 'content-type': 'text/event-stream' } },
  );

describe('openEventStream', () => {
  test('when the stream ends or fails, then it reconnects with backoff and Last-Event-ID', async () => {
    const requests: Array<Record<string, string>> = [];
    const answers: Array<() => Response> = [
      () => streaming(['event: notification\nid: a1\ndata: 1\n\n']),
      () => {
        throw new TypeError('network down');
      },
      () => streaming(['event: notification\nid: a2\ndata: 2\n\n']),
    ];
    const delays: number[] = [];
    const events: SseEvent[] = [];
    let stop = () => {};
    const done = new Promise<void>((resolve) => {
      stop = openEventStream({
        url: '/stream',
        fetch: async (_url, init) => {
          requests.push({ ...(init.headers as Record<string, string>) });
          const answer = answers.shift();
          if (!answer) {
            resolve();
            return new Promise<Response>(() => {}); // hang: the test stops it
          }
          return answer();
        },
        onEvent: (event) => events.push(event),
        backoff: (attempt) => 100 * 2 ** attempt,
        sleep: async (ms) => {
          delays.push(ms);
        },
      });
    });
    await done;
    stop();
    expect(events.map((e) => e.data)).toEqual(['1', '2']);
    expect(requests.map((h) => h['last-event-id'])).toEqual([undefined, 'a1', 'a1', 'a2']);
    // after a good connection the backoff starts over: 100 (end), 100 (fail → next 200)…
    expect(delays).toEqual([100, 200, 100]);
  });

  test('when the server says 401, then the stream stops (the session is over)', async () => {
    const statuses: string[] = [];
    let calls = 0;
    await new Promise<void>((resolve) => {
      openEventStream({
        url: '/stream',
        fetch: async () => {
          calls++;
          return new Response(null, { status: 401 });
        },
        onEvent: () => {},
        onStatus: (status) => {
          statuses.push(status);
          if (status === 'closed') resolve();
        },
        sleep: async () => {},
      });
    });
    expect(calls).toBe(1);
    expect(statuses).toEqual(['closed']);
  });

  test('when stopped, then no further connection is made', async () => {
    let calls = 0;
    const stop = openEventStream({
      url: '/stream',
      fetch: async (_url, init) => {
        calls++;
        return new Promise<Response>((_resolve, reject) =>
          init.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      },
      onEvent: () => {},
      sleep: async () => {},
    });
    await new Promise((r) => setTimeout(r, 10));
    stop();
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toBe(1);
  });
});
