import { USER_ID_HEADER, USERNAME_HEADER } from '@flock/kit';

export interface User {
  id: string;
  username: string;
}

/** An HTTP client calling a service as the gateway would (with or without a verified caller). */
export function client(baseUrl: string) {
  return async function call(
    method: string,
    path: string,
    options: { as?: User; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as) {
      headers[USER_ID_HEADER] = options.as.id;
      headers[USERNAME_HEADER] = options.as.username;
    }
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const json: any = text ? JSON.parse(text) : undefined;
    return { status: response.status, headers: response.headers, body: json };
  };
}

/** Asserts a problem+json answer. */
export function expectProblem(
  response: { status: number; headers: Headers; body: { status?: number; type?: string } },
  status: number,
): void {
  expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({
    status,
    type: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(response.body.status).toBe(status);
  expect(typeof response.body.type).toBe('string');
}
