import { useEffect, useState } from 'preact/hooks';
import { API_BASE, api, auth, ok, type Notification } from './api/client';
import type { SessionUser } from './api/auth';
import { openEventStream } from './lib/sse';

/** A value components re-render on. */
export class Store<T> {
  private listeners = new Set<(value: T) => void>();
  constructor(private current: T) {}
  get value(): T {
    return this.current;
  }
  set(value: T): void {
    this.current = value;
    for (const listener of this.listeners) listener(value);
  }
  subscribe(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export function useStore<T>(store: Store<T>): T {
  const [value, setValue] = useState(store.value);
  useEffect(() => {
    setValue(store.value);
    return store.subscribe(setValue);
  }, [store]);
  return value;
}

export const currentUser = new Store<SessionUser | null>(auth.user);
export const unreadCount = new Store(0);
/** Notifications that arrived on the live stream (the notifications page shows them at once). */
export const liveNotifications = new Store<Notification[]>([]);
/** Set by the compose button outside Home: Home focuses its composer once, then clears it. */
export const composeWanted = new Store(false);
/** Set by the reply shortcut: the post page focuses its reply box once, then clears it. */
export const replyWanted = new Store(false);
/** A message shown once on the next screen (e.g. "your account was deleted"). */
export const flash = new Store<string>('');
/** Posts this person has marked, as far as this tab knows: every post the API answers says, and toggles here. */
export class Marks extends Store<ReadonlySet<string>> {
  constructor() {
    super(new Set());
  }
  mark(postId: string, on: boolean): void {
    if (this.value.has(postId) === on) return;
    const next = new Set(this.value);
    if (on) next.add(postId);
    else next.delete(postId);
    this.set(next);
  }
}
export const liked = new Marks();
export const bookmarked = new Marks();

/**
 * People this person unfollowed in this tab. The timeline service takes their posts off Home
 * when it hears of the unfollow, moments later; until then Home leaves them out itself.
 */
export const unfollowed = new Store<ReadonlySet<string>>(new Set());

export function followChanged(userId: string, following: boolean): void {
  const next = new Set(unfollowed.value);
  if (following) next.delete(userId);
  else next.add(userId);
  unfollowed.set(next);
}

/**
 * Counts the stream's "your home timeline got posts" signals, and each reconnect of the stream,
 * since a notice sent while it was away is lost: Home checks its head on each. The first connect
 * is not counted: the stream opens first, with the first screen's requests, so it is listening
 * by the time Home's first page is read (that read takes two more hops); a notice that still
 * slips between them waits for Home's own check once a minute.
 */
export const homeUpdates = new Store(0);

let closeStream: (() => void) | null = null;

/**
 * The live stream: keeps the unread badge live (the current count, then one more per streamed
 * notification) and tells Home when its timeline got posts.
 */
async function startNotifications(): Promise<void> {
  closeStream?.();
  if (!auth.signedIn) return;
  let opened = false;
  closeStream = openEventStream({
    url: `${API_BASE}/notifications/stream`,
    fetch: (url, init) => auth.fetch(url, init),
    onStatus: (status) => {
      if (status !== 'open') return;
      if (opened) homeUpdates.set(homeUpdates.value + 1);
      opened = true;
    },
    onEvent: (event) => {
      if (event.event === 'timeline') return homeUpdates.set(homeUpdates.value + 1);
      if (event.event !== 'notification') return;
      try {
        const notification = JSON.parse(event.data) as Notification;
        if (liveNotifications.value.some((n) => n.id === notification.id)) return;
        liveNotifications.set([notification, ...liveNotifications.value]);
        if (!notification.read) unreadCount.set(unreadCount.value + 1);
      } catch {
        // a malformed event is skipped
      }
    },
  });
  // The count once the stream is asked for (a notification stored between the two may, rarely,
  // be counted twice until the page is next loaded).
  try {
    const response = await api.GET('/notifications', { params: { query: { limit: 1 } } });
    const body = response.data as { unreadCount?: number; items?: Notification[] } | undefined;
    if (body && typeof body.unreadCount === 'number') unreadCount.set(body.unreadCount);
  } catch {
    // the badge starts at 0; the stream still counts new ones
  }
}

auth.subscribe((user) => {
  currentUser.set(user);
  liked.set(new Set());
  bookmarked.set(new Set());
  unfollowed.set(new Set());
  liveNotifications.set([]);
  unreadCount.set(0);
  closeStream?.();
  closeStream = null;
  // With the first screen's requests: the stream must listen before Home reads its first page.
  if (user) void startNotifications();
});

export async function signOut(): Promise<void> {
  try {
    // Ends the session on the server and clears its cookie.
    await ok(api.POST('/auth/logout', { body: {} }));
  } catch {
    // signing out locally is what matters; the access token expires by itself
  }
  auth.signOut();
}

/** Users by id, fetched once (notifications, follower lists and search hits carry ids). */
const users = new Map<
  string,
  Promise<{ id: string; username: string; displayName: string } | null>
>();
export function userById(id: string) {
  let entry = users.get(id);
  if (!entry) {
    entry = api
      .GET('/users/{id}', { params: { path: { id } } })
      .then((r) => r.data ?? null)
      .catch(() => null);
    users.set(id, entry);
  }
  return entry;
}
export function forgetUser(id: string): void {
  users.delete(id);
}
