import { useEffect, useState } from 'preact/hooks';
import { api, ok, type GraphItem, type Post, type Profile } from '../api/client';
import { toApiError, type ApiError } from '../api/problem';
import { navigate } from '../lib/router';
import { currentUser, followChanged, forgetUser, useStore, userById } from '../state';
import { Avatar, ErrorMessage, Gone, InfiniteList, PostList, usePager } from '../ui/components';
import { timelinePage } from './posts';

/** Whether the signed-in person follows each of `ids` (at most 40 a call), by id. */
async function followingOf(ids: readonly string[]): Promise<Map<string, boolean>> {
  const following = new Map<string, boolean>();
  for (let i = 0; i < ids.length; i += 40) {
    const answer = await ok(
      api.GET('/relationships', { params: { query: { ids: ids.slice(i, i + 40).join(',') } } }),
    );
    for (const r of answer.items) following.set(r.userId, r.following);
  }
  return following;
}

/** Follow / Unfollow @username, for the signed-in person; tells Home and the cached profile. */
function FollowButton(props: {
  id: string;
  username: string;
  following: boolean;
  onChange: (following: boolean) => void;
}) {
  const [error, setError] = useState<ApiError | null>(null);
  const toggle = async () => {
    setError(null);
    try {
      const path = { params: { path: { id: props.id } } };
      if (props.following) await ok(api.DELETE('/users/{id}/follow', path));
      else await ok(api.POST('/users/{id}/follow', path));
      followChanged(props.id, !props.following);
      forgetUser(props.id);
      props.onChange(!props.following);
    } catch (e) {
      setError(toApiError(e));
    }
  };
  return (
    <>
      <button type="button" aria-pressed={props.following} onClick={() => void toggle()}>
        {props.following ? 'Unfollow' : 'Follow'} @{props.username}
      </button>
      <ErrorMessage error={error} />
    </>
  );
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
    if (me && me.id !== id)
      void followingOf([id]).then(
        (m) => setFollowing(m.get(id) ?? false),
        () => setFollowing(false),
      );
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
  if (error?.status === 404 && !profile)
    return <Gone title="This account isn’t here" detail="It was deleted, or the link is wrong." />;
  if (error && !profile) return <ErrorMessage error={error} />;
  if (!profile) return <p class="muted">Loading…</p>;
  const count = (n: number | null) => (n === null ? '–' : String(n));
  return (
    <>
      <section class="card profile" aria-labelledby="profile-name">
        <Avatar id={id} name={profile.displayName || profile.username} size="large" />
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
          <FollowButton
            id={id}
            username={profile.username}
            following={following}
            onChange={(now) => {
              setFollowing(now);
              if (profile.followers !== null)
                setProfile({ ...profile, followers: profile.followers + (now ? 1 : -1) });
            }}
          />
        )}
        {me?.id === id && (
          <p class="own-links">
            <a href="/settings">Edit profile</a> · <a href="/bookmarks">Bookmarks</a>
          </p>
        )}
        <ErrorMessage error={error} />
      </section>
      <h2>Posts</h2>
      <PostList
        pager={timeline}
        label={`Posts by @${profile.username}`}
        empty="No posts yet."
        onDelete={() => {
          if (profile.posts !== null)
            setProfile({ ...profile, posts: Math.max(0, profile.posts - 1) });
        }}
      />
    </>
  );
}

/** A person in a follower/following list, with a follow button when one is known. */
function UserRow(props: {
  id: string;
  following?: boolean | undefined;
  onFollowChange: (following: boolean) => void;
}) {
  const [user, setUser] = useState<{ username: string; displayName: string } | null | undefined>(
    undefined,
  );
  useEffect(() => void userById(props.id).then(setUser), [props.id]);
  if (user === undefined) return <span class="muted">…</span>;
  if (user === null) return <span class="muted">a deleted account</span>;
  return (
    <>
      <Avatar id={props.id} name={user.displayName || user.username} />
      <a href={`/users/${props.id}`}>
        {user.displayName || user.username} <span class="muted">@{user.username}</span>
      </a>
      {props.following !== undefined && (
        <FollowButton
          id={props.id}
          username={user.username}
          following={props.following}
          onChange={props.onFollowChange}
        />
      )}
    </>
  );
}

export function FollowList({
  id,
  direction,
}: {
  id: string;
  direction: 'followers' | 'following';
}) {
  const me = useStore(currentUser);
  const [owner, setOwner] = useState<string>('');
  // Whether I follow each listed person: asked once per page, then kept as I follow or unfollow.
  const [following, setFollowing] = useState<ReadonlyMap<string, boolean>>(new Map());
  const know = (entries: Map<string, boolean>) =>
    setFollowing((known) => new Map([...known, ...entries]));
  useEffect(() => void userById(id).then((u) => setOwner(u?.username ?? '')), [id]);
  const pager = usePager<GraphItem>(
    async (cursor) => {
      const query = { limit: 40, ...(cursor ? { cursor } : {}) };
      const page =
        direction === 'followers'
          ? await ok(api.GET('/users/{id}/followers', { params: { path: { id }, query } }))
          : await ok(api.GET('/users/{id}/following', { params: { path: { id }, query } }));
      const others = page.items.map((i) => i.userId).filter((u) => u !== me?.id);
      if (me && others.length > 0) know(await followingOf(others).catch(() => new Map()));
      return page;
    },
    (item) => item.userId,
    [id, direction, me?.id],
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
            <UserRow
              id={item.userId}
              following={following.get(item.userId)}
              onFollowChange={(now) => know(new Map([[item.userId, now]]))}
            />
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
