import type { ServerResponse } from 'node:http';

/** A Dapr API error: JSON `{"errorCode","message"}` with the status daprd uses for that code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

export function sendError(res: ServerResponse, err: ApiError): void {
  sendJson(res, err.status, { errorCode: err.errorCode, message: err.message });
}

/** daprd's respondWithEmpty: 204, no body, no content type. */
export function sendEmpty(res: ServerResponse): void {
  res.writeHead(204).end();
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify(body));
}

/** Go's http.Error, used by daprd for the API-token rejection. */
export function sendPlain(res: ServerResponse, status: number, text: string): void {
  res
    .writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'x-content-type-options': 'nosniff',
    })
    .end(`${text}\n`);
}
