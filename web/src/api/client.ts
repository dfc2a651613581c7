import createClient from 'openapi-fetch';
import { Auth } from './auth';
import { ApiError, isProblem } from './problem';
import type { components, paths } from './schema';

/** kit's PUBLIC_API_PREFIX (web/test/unit/schema.test.ts checks they agree). */
export const API_BASE = '/api/flock/v1';

export const auth = new Auth({
  baseUrl: API_BASE,
  ...(typeof localStorage === 'undefined' ? {} : { hint: localStorage }),
  ...(typeof navigator === 'undefined' || !navigator.locks ? {} : { locks: navigator.locks }),
  ...(typeof BroadcastChannel === 'undefined'
    ? {}
    : { channel: new BroadcastChannel('flock.session') }),
});

/** The typed client: paths, parameters and bodies are checked against the OpenAPI document. */
export const api = createClient<paths>({ baseUrl: API_BASE, fetch: auth.fetch });

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Resolves the body of a successful call, or throws an `ApiError` made from the problem. */
export async function ok<T>(call: Promise<Outcome<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw new ApiError(
    isProblem(error) ? error : { status: response.status, detail: response.statusText },
  );
}

type Schemas = components['schemas'];
type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer B } } };
}
  ? B
  : paths[P][M] extends { responses: { 201: { content: { 'application/json': infer B } } } }
    ? B
    : never;

/** A post; from a timeline page it also carries its author's display name. */
export type Post = Json<'/posts/{id}', 'get'> & Partial<Pick<TimelineEntry, 'authorDisplayName'>>;
export type Thread = Json<'/posts/{id}/thread', 'get'>;
export type Profile = Json<'/users/{id}', 'get'>;
export type PublicUser = Json<'/users', 'get'>['items'][number];
export type TimelineEntry = Json<'/timeline/home', 'get'>['items'][number];
export type Comment = Json<'/posts/{id}/comments', 'post'>;
export type Notification = Json<'/notifications', 'get'>['items'][number];
export type UserHit = Json<'/search/users', 'get'>['items'][number];
export type PostHit = Json<'/search/posts', 'get'>['items'][number];
export type TagHit = Json<'/search/tags', 'get'>['items'][number];
export type GraphItem = Json<'/users/{id}/followers', 'get'>['items'][number];
export type Problem = Schemas['Problem'];
