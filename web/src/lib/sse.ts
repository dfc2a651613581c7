/**
 * Server-sent events over `fetch`, because `EventSource` cannot send an Authorization header.
 * `SseParser` follows the WHATWG event-stream rules (LF, CR or CRLF line ends, `:` comments,
 * multi-line `data`, `id`, `retry`); `openEventStream` reconnects with exponential backoff and
 * `Last-Event-ID`, so events sent while it was away are replayed by the server.
 */
export interface SseEvent {
  /** `message` unless the stream named it. */
  event: string;
  data: string;
  /** The last event id seen on the stream (carried over from earlier events). */
  id: string;
}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private sawCr = false;
  lastEventId = '';
  /** A `retry:` field the server sent, in ms. */
  retry: number | undefined;

  /** Feeds a chunk of text; returns the events it completed. */
  push(chunk: string): SseEvent[] {
    const events: SseEvent[] = [];
    let text = chunk;
    if (this.sawCr && text.startsWith('\n')) text = text.slice(1); // CRLF split across chunks
    this.sawCr = false;
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      const line = this.buffer.slice(start, i);
      if (c === '\r') {
        if (i + 1 === this.buffer.length) this.sawCr = true;
        else if (this.buffer[i + 1] === '\n') i++;
      }
      start = i + 1;
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const event = this.event || 'message';
    const data = this.data;
    this.event = '';
    this.data = [];
    if (data.length === 0) return undefined;
    return { event, data: data.join('\n'), id: this.lastEventId };
  }
}

export interface StreamOptions {
  url: string;
  /** Sends the request (the authenticated fetch: it adds the token and refreshes on 401). */
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  onEvent: (event: SseEvent) => void;
  onStatus?: (status: 'open' | 'reconnecting' | 'closed') => void;
  /** Delay before reconnect attempt n (0-based); default 1 s doubling to 30 s, with jitter. */
  backoff?: (attempt: number) => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Resume after this event id (e.g. the newest one already shown). */
  lastEventId?: string;
}

export const defaultBackoff = (attempt: number): number =>
  Math.min(30_000, 1_000 * 2 ** attempt) * (0.75 + Math.random() * 0.5);

const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** Opens the stream and keeps it open until the returned function is called. */
export function openEventStream(options: StreamOptions): () => void {
  const controller = new AbortController();
  const { signal } = controller;
  const backoff = options.backoff ?? defaultBackoff;
  const sleep = options.sleep ?? abortableSleep;
  let lastEventId = options.lastEventId ?? '';

  const run = async () => {
    let attempt = 0;
    while (!signal.aborted) {
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        if (lastEventId) headers['last-event-id'] = lastEventId;
        const response = await options.fetch(options.url, { headers, signal, cache: 'no-store' });
        if (response.status === 401 || response.status === 403) break; // signed out: stop
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        const parser = new SseParser();
        parser.lastEventId = lastEventId;
        options.onStatus?.('open');
        attempt = 0;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const event of parser.push(value)) {
            lastEventId = event.id;
            options.onEvent(event);
          }
        }
        if (parser.retry !== undefined) {
          await sleep(parser.retry, signal);
          continue;
        }
      } catch {
        if (signal.aborted) break;
      }
      if (signal.aborted) break;
      options.onStatus?.('reconnecting');
      await sleep(backoff(attempt++), signal);
    }
    options.onStatus?.('closed');
  };
  void run();
  return () => controller.abort();
}
