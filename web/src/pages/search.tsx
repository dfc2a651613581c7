import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Post, type PostHit, type TagHit, type UserHit } from '../api/client';
import { navigate } from '../lib/router';
import { timeAgo } from '../lib/text';
import { InfiniteList, PostList, RichText, usePager } from '../ui/components';
import { rememberMine } from './posts';
import { Username } from '../ui/username';

const TABS = [
  { id: 'users', label: 'People' },
  { id: 'posts', label: 'Posts' },
  { id: 'tags', label: 'Hashtags' },
] as const;
type Tab = (typeof TABS)[number]['id'];

function PostHitView({ hit }: { hit: PostHit }) {
  return (
    <article class="post" aria-label="Post">
      <header class="post-head">
        <a class="age" href={`/posts/${hit.id}`}>
          <time dateTime={hit.createdAt}>{timeAgo(hit.createdAt)}</time>
          <span class="visually-hidden"> — open post</span>
        </a>
        <Username id={hit.authorId} />
      </header>
      <p class="post-text">
        <RichText text={hit.text} />
      </p>
    </article>
  );
}

const pageQuery = (q: string, cursor: string | undefined) => ({
  q,
  limit: 20,
  ...(cursor ? { cursor } : {}),
});

function UserResults({ q }: { q: string }) {
  const pager = usePager<UserHit>(
    (cursor) => ok(api.GET('/search/users', { params: { query: pageQuery(q, cursor) } })),
    (u) => u.id,
    [q],
  );
  return (
    <InfiniteList
      pager={pager}
      label="People"
      itemKey={(u) => u.id}
      empty={`No one matches “${q}”.`}
      render={(u) => (
        <div class="row">
          <a href={`/users/${u.id}`}>
            {u.displayName || u.username} <span class="muted">@{u.username}</span>
          </a>
        </div>
      )}
    />
  );
}

function PostResults({ q }: { q: string }) {
  const pager = usePager<PostHit>(
    (cursor) => ok(api.GET('/search/posts', { params: { query: pageQuery(q, cursor) } })),
    (p) => p.id,
    [q],
  );
  return (
    <InfiniteList
      pager={pager}
      label="Posts"
      itemKey={(p) => p.id}
      empty={`No posts match “${q}”.`}
      render={(p) => <PostHitView hit={p} />}
    />
  );
}

function TagResults({ q }: { q: string }) {
  const pager = usePager<TagHit>(
    (cursor) =>
      ok(api.GET('/search/tags', { params: { query: pageQuery(q.replace(/^#/, ''), cursor) } })),
    (t) => t.tag,
    [q],
  );
  return (
    <InfiniteList
      pager={pager}
      label="Hashtags"
      itemKey={(t) => t.tag}
      empty={`No hashtags start with “${q}”.`}
      render={(t) => (
        <div class="row">
          <a href={`/tags/${encodeURIComponent(t.tag)}`}>#{t.tag}</a>{' '}
          <span class="muted">{t.posts} posts</span>
        </div>
      )}
    />
  );
}

function Results({ tab, q }: { tab: Tab; q: string }) {
  if (tab === 'users') return <UserResults q={q} />;
  if (tab === 'posts') return <PostResults q={q} />;
  return <TagResults q={q} />;
}

export function SearchPage({ query }: { query: URLSearchParams }) {
  const q = query.get('q') ?? '';
  const tab = (TABS.find((t) => t.id === query.get('tab'))?.id ??
    (q.startsWith('#') ? 'tags' : 'users')) as Tab;
  const [text, setText] = useState(q);
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});
  useEffect(() => setText(q), [q]);
  const go = (nextTab: Tab, nextQ = q) =>
    navigate(`/search?${new URLSearchParams({ q: nextQ, tab: nextTab })}`, { replace: true });
  const onTabKey = (e: KeyboardEvent, index: number) => {
    const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!delta) return;
    const next = TABS[(index + delta + TABS.length) % TABS.length]!;
    go(next.id);
    tabRefs.current[next.id]?.focus();
  };
  return (
    <>
      <h1>Search</h1>
      <form
        role="search"
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) go(text.trim().startsWith('#') ? 'tags' : tab, text.trim());
        }}
      >
        <label for="search-q" class="visually-hidden">
          Search people, posts and hashtags
        </label>
        <input
          id="search-q"
          type="search"
          value={text}
          placeholder="Search people, posts, #hashtags"
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit">Search</button>
      </form>
      <div role="tablist" aria-label="What to search" class="tabs">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[t.id] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls="search-results"
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => go(t.id)}
            onKeyDown={(e) => onTabKey(e, i)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="search-results" aria-labelledby={`tab-${tab}`}>
        {q ? <Results tab={tab} q={q} /> : <p class="muted">Type a name, words or a #hashtag.</p>}
      </div>
    </>
  );
}

export function TagPage({ tag }: { tag: string }) {
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    setCount(null);
    void ok(api.GET('/search/tags', { params: { query: { q: tag, limit: 1 } } })).then(
      (page) => setCount(page.items.find((t) => t.tag === tag.toLowerCase())?.posts ?? 0),
      () => setCount(null),
    );
  }, [tag]);
  const pager = usePager<Post>(
    async (cursor) => {
      const page = await ok(
        api.GET('/tags/{tag}', {
          params: { path: { tag }, query: { limit: 20, ...(cursor ? { cursor } : {}) } },
        }),
      );
      // The hits name posts; one request reads them whole, with the reader's likes.
      const items =
        page.items.length === 0
          ? []
          : rememberMine(
              (
                await ok(
                  api.GET('/posts', {
                    params: { query: { ids: page.items.map((hit) => hit.id).join(',') } },
                  }),
                )
              ).items,
            );
      return page.nextCursor ? { items, nextCursor: page.nextCursor } : { items };
    },
    (p) => p.id,
    [tag],
  );
  return (
    <>
      <h1>#{tag}</h1>
      {count !== null && (
        <p class="muted">
          {count} {count === 1 ? 'post' : 'posts'}
        </p>
      )}
      <PostList
        pager={pager}
        label={`Posts tagged #${tag}`}
        empty={`No posts tagged #${tag} yet.`}
      />
    </>
  );
}
