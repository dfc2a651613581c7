import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Notification } from '../api/client';
import { timeAgo } from '../lib/text';
import { liveNotifications, unreadCount, useStore } from '../state';
import { InfiniteList, usePager } from '../ui/components';
import { Username } from '../ui/username';

const WHAT: Record<Notification['type'], string> = {
  follow: 'followed you',
  like: 'liked your post',
  comment: 'commented on your post',
  reply: 'replied to your post',
  mention: 'mentioned you',
};

function NotificationView({ n }: { n: Notification }) {
  return (
    <div class={n.read ? 'row notification' : 'row notification unread'}>
      {!n.read && <span class="visually-hidden">New: </span>}
      <Username id={n.actorId} /> {WHAT[n.type]}
      {n.postId && (
        <>
          {' '}
          — <a href={`/posts/${n.postId}${n.type === 'comment' ? '#comments' : ''}`}>view</a>
        </>
      )}{' '}
      <time class="muted" dateTime={n.createdAt}>
        {timeAgo(n.createdAt)}
      </time>
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
  const markAllRead = async () => {
    await ok(api.POST('/notifications/read-all'));
    unreadCount.set(0);
    pager?.reset();
    void pager?.next();
  };
  return (
    <>
      <h1>Notifications</h1>
      <p>
        <span role="status">{unread === 0 ? 'All caught up.' : `${unread} unread`}</span>{' '}
        {unread > 0 && (
          <button type="button" class="secondary" onClick={() => void markAllRead()}>
            Mark all read
          </button>
        )}
      </p>
      <InfiniteList
        pager={pager}
        label="Notifications"
        itemKey={(n) => n.id}
        empty="No notifications yet."
        render={(n) => <NotificationView n={n} />}
      />
    </>
  );
}
