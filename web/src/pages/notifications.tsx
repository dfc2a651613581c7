import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Notification } from '../api/client';
import { timeAgo } from '../lib/text';
import { liveNotifications, unreadCount, useStore } from '../state';
import { InfiniteList, usePager } from '../ui/components';
import { Username } from '../ui/username';

const WHAT: Record<Notification['type'], string> = {
  follow: 'followed you',
  like: 'liked your post',
  comment: 'replied to your post', // comments are shown as replies (pages/post.tsx)
  reply: 'replied to your post',
  mention: 'mentioned you',
};

/** Likes of one post, and follows, group when they come one after another. */
const groupOf = (n: Notification) =>
  n.type === 'like' || n.type === 'follow' ? `${n.type}:${n.postId ?? ''}` : undefined;

function NotificationView({ n, run }: { n: Notification; run: readonly Notification[] }) {
  const unread = run.some((m) => !m.read);
  const others = new Set(run.map((m) => m.actorId)).size - 1;
  return (
    <div class={unread ? 'row notification unread' : 'row notification'}>
      {unread && <span class="visually-hidden">New: </span>}
      <Username id={n.actorId} avatar />
      {others > 0 && ` and ${others} ${others === 1 ? 'other' : 'others'}`} {WHAT[n.type]}
      {n.postId && (
        <>
          {' '}
          — <a href={`/posts/${n.postId}${n.type === 'comment' ? '#replies' : ''}`}>view</a>
        </>
      )}{' '}
      <time class="muted" dateTime={n.createdAt}>
        {timeAgo(n.createdAt)}
      </time>
      {n.excerpt && <blockquote class="excerpt">{n.excerpt}</blockquote>}
    </div>
  );
}

export function NotificationsPage() {
  const live = useStore(liveNotifications);
  const unread = useStore(unreadCount);
  const [openedAt] = useState(() => live[0]?.id ?? '');
  const pager = usePager<Notification>(
    (cursor) =>
      ok(
        api.GET('/notifications', {
          params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    (n) => n.id,
    [],
  );
  // What streamed in while this page is open is shown on top at once.
  useEffect(() => {
    if (!pager) return;
    const fresh = live.filter((n) => !pager.has(n.id) && n.id > openedAt);
    if (fresh.length > 0) pager.prepend(fresh);
  }, [live, pager]);
  // Opening the page marks everything seen, and so does whatever streams in while it is open;
  // the rows keep their "new" mark until the page is left, so one still sees what was new.
  const loaded = (pager?.items.length ?? 0) > 0;
  useEffect(() => {
    if (unread === 0 || !loaded || document.hidden) return;
    void ok(api.POST('/notifications/read-all')).then(
      () => unreadCount.set(0),
      () => undefined, // the badge stays; the next visit tries again
    );
  }, [unread, loaded]);
  return (
    <>
      <h1>Notifications</h1>
      <p>
        <span role="status">{unread === 0 ? 'All caught up.' : `${unread} unread`}</span>
      </p>
      <InfiniteList
        pager={pager}
        label="Notifications"
        itemKey={(n) => n.id}
        empty="No notifications yet."
        groupBy={groupOf}
        render={(n, run) => <NotificationView n={n} run={run} />}
      />
    </>
  );
}
