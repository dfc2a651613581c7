import { useEffect, useState } from 'preact/hooks';
import { api, ok, type GraphItem, type Post, type Profile } from '../api/client';
import { toApiError, type ApiError } from '../api/problem';
import { navigate } from '../lib/router';
import { currentUser, followChanged, forgetUser, useStore, userById } from '../state';
import { ErrorMessage, Gone, InfiniteList, PostCard, usePager } from '../ui/components';
import { timelinePage } from './posts';

/** Whether the signed-in person follows `id`: looked up in their following list. */
async function follows(me: string, id: string): Promise<boolean> {
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const body = await ok(
      api.GET('/users/{id}/following', {
        params: { path: { id: me }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
      }),
    );
    if (body.items.some((item) => item.userId === id)) return true;
    if (!body.nextCursor) return false;
    cursor = body.nextCursor;
  }
  return false;
}

export function ProfilePage({ id }: { id: string }) {
  const me = useStore(currentUser);
  const [profile, setProfile] = useState<Profile | null>(null);
  const [following, setFollowing] = useState<boolean | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const reload = async () => {
    try {
      setProfile(await ok(api.GET('/users/{id}', { params: { path: { id } } })));
    } catch (e) {
      setError(toApiError(e));
    }
  };
  useEffect(() => {
    setProfile(null);
    setError(null);
    setFollowing(null);
    void reload();
    if (me && me.id !== id) void follows(me.id, id).then(setFollowing, () => setFollowing(false));
  }, [id, me?.id]);
  const timeline = usePager<Post>(
    async (cursor) =>
      timelinePage(
        await ok(
          api.GET('/users/{id}/timeline', {
            params: { path: { id }, query: { limit: 20, ...(cursor ? { cursor } : {}) } },
          }),
        ),
      ),
    (post) => post.id,
    [id],
  );
  const toggleFollow = async () => {
    setError(null);
    try {
      if (following) await ok(api.DELETE('/users/{id}/follow', { params: { path: { id } } }));
      else await ok(api.POST('/users/{id}/follow', { params: { path: { id } } }));
      setFollowing(!following);
      followChanged(id, !following);
      if (profile && profile.followers !== null)
        setProfile({ ...profile, followers: profile.followers + (following ? -1 : 1) });
      forgetUser(id);
    } catch (e) {
      setError(toApiError(e));
    }
  };
  if (error?.status === 404 && !profile)
    return <Gone title="This account isn’t here" detail="It was deleted, or the link is wrong." />;
  if (error && !profile) return <ErrorMessage error={error} />;
  if (!profile) return <p class="muted">Loading…</p>;
  const count = (n: number | null) => (n === null ? '–' : String(n));
  return (
    <>
      <section class="card profile" aria-labelledby="profile-name">
        <h1 id="profile-name">
          {profile.displayName || profile.username} <span class="muted">@{profile.username}</span>
        </h1>
        {profile.bio && <p>{profile.bio}</p>}
        <ul class="counts">
          <li>
            <strong>{count(profile.posts)}</strong> posts
          </li>
          <li>
            <a href={`/users/${id}/followers`}>
              <strong>{count(profile.followers)}</strong> followers
            </a>
          </li>
          <li>
            <a href={`/users/${id}/following`}>
              <strong>{count(profile.following)}</strong> following
            </a>
          </li>
        </ul>
        {me && me.id !== id && following !== null && (
          <button type="button" aria-pressed={following} onClick={() => void toggleFollow()}>
            {following ? 'Unfollow' : 'Follow'} @{profile.username}
          </button>
        )}
        {me?.id === id && <a href="/settings">Edit profile</a>}
        <ErrorMessage error={error} />
      </section>
      <h2>Posts</h2>
      <InfiniteList
        pager={timeline}
        label={`Posts by @${profile.username}`}
        itemKey={(p) => p.id}
        empty="No posts yet."
        render={(post) => (
          <PostCard
            post={post}
            onChange={(p) => timeline?.replace(p)}
            onDelete={(pid) => {
              timeline?.remove(pid);
              if (profile.posts !== null)
                setProfile({ ...profile, posts: Math.max(0, profile.posts - 1) });
            }}
          />
        )}
      />
    </>
  );
}

function UserRow({ id }: { id: string }) {
  const [user, setUser] = useState<{ username: string; displayName: string } | null | undefined>(
    undefined,
  );
  useEffect(() => void userById(id).then(setUser), [id]);
  if (user === undefined) return <span class="muted">…</span>;
  if (user === null) return <span class="muted">a deleted account</span>;
  return (
    <a href={`/users/${id}`}>
      {user.displayName || user.username} <span class="muted">@{user.username}</span>
    </a>
  );
}

export function FollowList({
  id,
  direction,
}: {
  id: string;
  direction: 'followers' | 'following';
}) {
  const [owner, setOwner] = useState<string>('');
  useEffect(() => void userById(id).then((u) => setOwner(u?.username ?? '')), [id]);
  const pager = usePager<GraphItem>(
    async (cursor) => {
      const query = { limit: 50, ...(cursor ? { cursor } : {}) };
      return direction === 'followers'
        ? ok(api.GET('/users/{id}/followers', { params: { path: { id }, query } }))
        : ok(api.GET('/users/{id}/following', { params: { path: { id }, query } }));
    },
    (item) => item.userId,
    [id, direction],
  );
  const title = direction === 'followers' ? 'Followers' : 'Following';
  return (
    <>
      <h1>
        {title}{' '}
        {owner && (
          <span class="muted">
            of <a href={`/users/${id}`}>@{owner}</a>
          </span>
        )}
      </h1>
      <InfiniteList
        pager={pager}
        label={title}
        itemKey={(i) => i.userId}
        empty={direction === 'followers' ? 'No followers yet.' : 'Not following anyone yet.'}
        render={(item) => (
          <div class="row">
            <UserRow id={item.userId} />
          </div>
        )}
      />
    </>
  );
}

/** `/u/:username` (mention links): find the id by exact username, then show the profile. */
export function ByUsername({ username }: { username: string }) {
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    setError(null);
    void ok(api.GET('/search/users', { params: { query: { username, limit: 1 } } }))
      .then((page) => {
        const hit = page.items.find((u) => u.username.toLowerCase() === username.toLowerCase());
        if (hit) navigate(`/users/${hit.id}`, { replace: true });
        else setError(toApiError({ status: 404, detail: `There is no user @${username}.` }));
      })
      .catch((e: unknown) => setError(toApiError(e)));
  }, [username]);
  return error ? <ErrorMessage error={error} /> : <p class="muted">Looking up @{username}…</p>;
}
