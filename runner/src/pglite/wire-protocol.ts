/**
 * Just enough of the Postgres frontend protocol (v3) to cut a byte stream into messages.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;
const CANCEL_REQUEST_CODE = 80877102;

export type FrontendMessage =
  | { kind: 'startup'; bytes: Uint8Array }
  | { kind: 'ssl-request' }
  | { kind: 'cancel' }
  | { kind: 'terminate' }
  | { kind: 'message'; type: string; bytes: Uint8Array };

/**
 * Splits `buffer` into complete messages; an incomplete tail is returned as `rest`.
 * Before the startup message, frames carry no type byte.
 */
export function splitMessages(
  buffer: Buffer,
  started: boolean,
): { messages: FrontendMessage[]; rest: Buffer } {
  const messages: FrontendMessage[] = [];
  let offset = 0;
  let inStartup = !started;
  for (;;) {
    if (inStartup) {
      if (buffer.length - offset < 8) break;
      const length = buffer.readInt32BE(offset);
      if (buffer.length - offset < length) break;
      const code = buffer.readInt32BE(offset + 4);
      if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
        messages.push({ kind: 'ssl-request' });
      } else if (code === CANCEL_REQUEST_CODE) {
        messages.push({ kind: 'cancel' });
      } else {
        messages.push({ kind: 'startup', bytes: buffer.subarray(offset, offset + length) });
        inStartup = false;
      }
      offset += length;
      continue;
    }
    if (buffer.length - offset < 5) break;
    const length = buffer.readInt32BE(offset + 1) + 1;
    if (buffer.length - offset < length) break;
    const type = String.fromCharCode(buffer[offset]!);
    messages.push(
      type === 'X'
        ? { kind: 'terminate' }
        : { kind: 'message', type, bytes: buffer.subarray(offset, offset + length) },
    );
    offset += length;
  }
  // Copy the tail: the caller concatenates new data onto it.
  return { messages, rest: Buffer.from(buffer.subarray(offset)) };
}

/**
 * After these the backend answers ReadyForQuery, so the session may pass to another client
 * (unless a transaction is open): the startup handshake, a simple Query, or the Sync that ends
 * an extended-protocol batch. (COPY FROM STDIN is not supported through this server.)
 */
export function isUnitBoundary(message: FrontendMessage): boolean {
  if (message.kind === 'startup') return true;
  return message.kind === 'message' && (message.type === 'Q' || message.type === 'S');
}
