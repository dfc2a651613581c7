/** One server-sent event, or a comment line block (`: ping`). */
export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
  retry?: string;
}

export interface SseClient {
  status: number;
  headers: Headers;
  /** The next event (comments included when `comments` is set), or throws after `timeoutMs`. */
  next(options?: { timeoutMs?: number; comments?: boolean }): Promise<SseEvent>;
  /** Every event received so far. */
  readonly received: SseEvent[];
  close(): void;
}

/** A real HTTP client reading a text/event-stream with node's fetch and a stream reader. */
export async function openStream(url: string, headers: Record<string, string>): Promise<SseClient> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const received: SseEvent[] = [];
  const queue: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let ended = false;
  if (response.ok && response.body) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = parse(block);
            received.push(event);
            queue.push(event);
            waiters.splice(0).forEach((wake) => wake());
          }
        }
      } catch {
        // aborted
      }
      ended = true;
      waiters.splice(0).forEach((wake) => wake());
    })();
  }
  return {
    status: response.status,
    headers: response.headers,
    received,
    async next({ timeoutMs = 5_000, comments = false } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (queue.length > 0) {
          const event = queue.shift()!;
          if (comments || event.comment === undefined || event.data !== undefined) return event;
        }
        if (ended) throw new Error('the stream ended');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => abort.abort(),
  };
}

function parse(block: string): SseEvent {
  const event: SseEvent = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) event.comment = line.slice(1).trim();
    else {
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data')
        event.data = event.data === undefined ? value : `${event.data}\n${value}`;
      else if (field === 'id' || field === 'event' || field === 'retry') event[field] = value;
    }
  }
  return event;
}
