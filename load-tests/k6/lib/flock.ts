/**
 * Shared pieces of the k6 scripts: the seeded users (written by the seeder, read once with
 * `open()` into a SharedArray), logging them in during `setup()`, and one function per request.
 * Every request is tagged with `name`, so thresholds and results can be read per endpoint.
 *
 * Environment: BASE_URL (the gateway or the cluster ingress, default http://127.0.0.1:3000),
 * USERS_FILE (default ../users.json, relative to this script's folder), LOGIN_USERS (how many
 * seeded users setup() logs in, default all), RATE, DURATION, and per-script knobs.
 */
import { check } from 'k6';
import { SharedArray } from 'k6/data';
import http, { type RefinedResponse, type ResponseType } from 'k6/http';

export const BASE_URL = (__ENV.BASE_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const API = `${BASE_URL}/api/flock/v1`; // kit's PUBLIC_API_PREFIX (k6 runs outside Node: no import)

interface SeededUser {
  id: string;
  username: string;
}
interface UsersFile {
  password: string;
  users: SeededUser[];
  posts: string[];
}

const usersFile = __ENV.USERS_FILE ?? '../users.json';
/** Read once in the init context and shared (not copied) between VUs. */
export const seededUsers = new SharedArray<SeededUser>('users', () => {
  const file = JSON.parse(open(usersFile)) as UsersFile;
  return file.users;
});
export const seededPosts = new SharedArray<string>('posts', () => {
  const file = JSON.parse(open(usersFile)) as UsersFile;
  return file.posts;
});
const password = new SharedArray<string>('password', () => [
  (JSON.parse(open(usersFile)) as UsersFile).password,
]);

export interface LoggedIn {
  id: string;
  username: string;
  token: string;
  refreshToken: string;
}

export interface SetupData {
  users: LoggedIn[];
  startedAt: number;
}

/** Logs seeded users in, 20 at a time (login hashes a password: it is the slow call). */
export function loginSeededUsers(): SetupData {
  const wanted = Math.min(Number(__ENV.LOGIN_USERS ?? seededUsers.length), seededUsers.length);
  const users: LoggedIn[] = [];
  for (let start = 0; start < wanted; start += 20) {
    const batch: SeededUser[] = [];
    for (let i = start; i < Math.min(start + 20, wanted); i++) batch.push(seededUsers[i]!);
    const responses = http.batch(
      batch.map((u) => ({
        method: 'POST',
        url: `${API}/auth/login`,
        body: JSON.stringify({ login: u.username, password: password[0] }),
        params: { headers: { 'content-type': 'application/json' }, tags: { name: 'login' } },
      })),
    );
    responses.forEach((response, i) => {
      if (response.status !== 200)
        throw new Error(`login of ${batch[i]!.username}: ${response.status}`);
      const session = response.json() as { accessToken: string; refreshToken: string };
      users.push({ ...batch[i]!, token: session.accessToken, refreshToken: session.refreshToken });
    });
  }
  return { users, startedAt: Date.now() };
}

/**
 * Access tokens live 15 minutes. A long run (soak) refreshes them: each VU owns the users whose
 * index ≡ VU (mod slices) and is the only one refreshing them, so a rotated refresh token is
 * never used twice.
 */
const ownTokens = new Map<number, { token: string; refreshToken: string; at: number }>();
const REFRESH_AFTER_MS = 12 * 60_000;

export function pickUser(
  data: SetupData,
  vu: number,
  slices: number,
): { index: number; user: LoggedIn } {
  const own = Math.max(1, Math.floor(data.users.length / slices));
  const slot = Math.floor(Math.random() * own);
  const index = (slot * slices + ((vu - 1) % slices)) % data.users.length;
  return { index, user: data.users[index]! };
}

export function tokenOf(data: SetupData, index: number): string {
  const user = data.users[index]!;
  const own = ownTokens.get(index) ?? {
    token: user.token,
    refreshToken: user.refreshToken,
    at: data.startedAt,
  };
  if (Date.now() - own.at > REFRESH_AFTER_MS) {
    const response = http.post(
      `${API}/auth/refresh`,
      JSON.stringify({ refreshToken: own.refreshToken }),
      {
        headers: { 'content-type': 'application/json' },
        tags: { name: 'refresh' },
      },
    );
    if (response.status === 200) {
      const session = response.json() as { accessToken: string; refreshToken: string };
      own.token = session.accessToken;
      own.refreshToken = session.refreshToken;
      own.at = Date.now();
    }
  }
  ownTokens.set(index, own);
  return own.token;
}

const auth = (token: string, name: string, json = false) => ({
  headers: {
    authorization: `Bearer ${token}`,
    ...(json ? { 'content-type': 'application/json' } : {}),
  },
  tags: { name },
});

const ok = (response: RefinedResponse<ResponseType | undefined>, name: string, status = 200) =>
  check(response, { [`${name} ${status}`]: (r) => r.status === status });

/** One timeline page is one request: every item is the whole post, as the reader sees it. */
interface TimelinePage {
  items: Array<{
    postId: string;
    text: string;
    authorDisplayName: string;
    likedByMe: boolean;
    bookmarkedByMe: boolean;
  }>;
}

const hydrated = (response: RefinedResponse<ResponseType | undefined>, name: string) =>
  check(response, {
    [`${name} items are whole posts`]: (r) =>
      r.status !== 200 ||
      (r.json() as unknown as TimelinePage).items.every(
        (item) => typeof item.text === 'string' && typeof item.likedByMe === 'boolean',
      ),
  });

export function readHomeTimeline(token: string): void {
  const response = http.get(`${API}/timeline/home?limit=10`, auth(token, 'home'));
  ok(response, 'home');
  hydrated(response, 'home');
}

export function readUserTimeline(token: string, userId: string): void {
  const response = http.get(`${API}/users/${userId}/timeline?limit=10`, auth(token, 'user'));
  ok(response, 'user');
  hydrated(response, 'user');
}

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
export function randomText(length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[Math.floor(Math.random() * alphabet.length)];
  return text;
}

/** DSB-like compose: random text, 1–3 @mentions of seeded users, one URL. Returns the post id. */
export function composePost(token: string): string | undefined {
  const mentions: string[] = [];
  const count = 1 + Math.floor(Math.random() * 3);
  for (let i = 0; i < count; i++) {
    mentions.push(`@${seededUsers[Math.floor(Math.random() * seededUsers.length)]!.username}`);
  }
  const text = `${randomText(160)} ${mentions.join(' ')} http://${randomText(32)}.example`;
  const response = http.post(
    `${API}/posts`,
    JSON.stringify({ text }),
    auth(token, 'compose', true),
  );
  ok(response, 'compose', 201);
  return response.status === 201 ? (response.json('id') as string) : undefined;
}

/** Follow or unfollow, half and half (both idempotent), so a long run keeps the graph's size. */
export function followOrUnfollow(token: string, userId: string): void {
  const url = `${API}/users/${userId}/follow`;
  if (Math.random() < 0.5) ok(http.post(url, null, auth(token, 'follow')), 'follow');
  else ok(http.del(url, null, auth(token, 'unfollow')), 'unfollow', 204);
}

export function likePost(token: string, postId: string): void {
  const response = http.post(`${API}/posts/${postId}/like`, null, auth(token, 'like'));
  ok(response, 'like');
}

export function commentOn(token: string, postId: string): void {
  const body = JSON.stringify({ text: randomText(80) });
  ok(
    http.post(`${API}/posts/${postId}/comments`, body, auth(token, 'comment', true)),
    'comment',
    201,
  );
}

export function readNotifications(token: string): void {
  ok(http.get(`${API}/notifications?limit=20`, auth(token, 'notifications')), 'notifications');
}

export function searchPosts(token: string): void {
  const tag = `seed${Math.floor(Math.random() * 50)}`;
  ok(http.get(`${API}/search/posts?q=${tag}`, auth(token, 'search')), 'search');
}

export function randomPostId(): string {
  return seededPosts[Math.floor(Math.random() * seededPosts.length)]!;
}

export function randomUserId(): string {
  return seededUsers[Math.floor(Math.random() * seededUsers.length)]!.id;
}

/** Latency targets shared by the scripts; per endpoint through the `name` tag. */
export const thresholds = (scenario: string) => ({
  // Scoped to the scenario: setup()'s logins (password hashing) are not part of the target.
  [`http_req_failed{scenario:${scenario}}`]: ['rate<0.01'],
  [`http_req_duration{scenario:${scenario}}`]: ['p(95)<200', 'p(99)<500'],
  'http_req_duration{name:home}': ['p(95)<100', 'p(99)<250'],
  'http_req_duration{name:user}': ['p(95)<100', 'p(99)<250'],
  'http_req_duration{name:compose}': ['p(95)<250', 'p(99)<500'],
  checks: ['rate>0.99'],
});
