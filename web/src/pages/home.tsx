import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Post, type TimelineEntry } from '../api/client';
import { newerThanShown } from '../lib/paging';
import { InfiniteList, PostCard, TextComposer, usePager } from '../ui/components';
import { timelinePage, timelinePosts, withoutUnfollowed } from './posts';

/** How often the head of the home timeline is checked for new posts. */
export const POLL_MS = 4_000;
const PAGE = 20;

export function Home() {
  const pager = usePager<Post>(
    async (cursor) => {
      const page = timelinePage(
        await ok(
          api.GET('/timeline/home', {
            params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } },
          }),
        ),
      );
      return { ...page, items: withoutUnfollowed(page.items) };
    },
    (post) => post.id,
    [],
  );
  const [fresh, setFresh] = useState<TimelineEntry[]>([]);
  const marked = useRef(false);

  // First render of the timeline, for the performance budget (read by the browser test).
  useEffect(() => {
    if (!marked.current && pager && (pager.items.length > 0 || pager.done)) {
      marked.current = true;
      performance.mark('flock:home-rendered');
    }
  });

  // New posts are announced, not pushed in under the reader: poll the head of the timeline.
  useEffect(() => {
    if (!pager) return;
    const timer = setInterval(async () => {
      if (document.hidden || pager.loading) return;
      try {
        const head = await ok(api.GET('/timeline/home', { params: { query: { limit: PAGE } } }));
        const newer = withoutUnfollowed(newerThanShown(head.items, (e) => pager.has(e.postId)));
        if (pager.items.length === 0 && !pager.done) return;
        // Nothing is shown yet (a new follower's first posts): nothing to push away, so show them.
        if (pager.items.length === 0) pager.prepend(timelinePosts(newer));
        else setFresh(newer);
      } catch {
        // try again at the next tick
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [pager]);

  const showFresh = () => {
    if (!pager) return;
    pager.prepend(timelinePosts(fresh)); // the polled head holds the whole posts already
    setFresh([]);
    document.getElementById('timeline-start')?.focus();
  };

  return (
    <>
      <h1 class="visually-hidden">Home</h1>
      <section class="card" aria-label="Write a post">
        <TextComposer
          id="compose"
          label="What’s happening?"
          placeholder="What’s happening?"
          submitLabel="Post"
          onSubmit={async (text) => {
            const post = await ok(api.POST('/posts', { body: { text } }));
            pager?.prepend([post]);
          }}
        />
      </section>
      <div aria-live="polite" class="fresh-slot">
        {fresh.length > 0 && (
          <button type="button" class="fresh" onClick={showFresh}>
            Show {fresh.length} new {fresh.length === 1 ? 'post' : 'posts'}
          </button>
        )}
      </div>
      <h2 id="timeline-start" tabIndex={-1} class="visually-hidden">
        Your timeline
      </h2>
      <InfiniteList
        pager={pager}
        label="Home timeline"
        itemKey={(post) => post.id}
        empty="Nothing here yet. Follow people or write your first post."
        render={(post) => (
          <PostCard
            post={post}
            onChange={(p) => pager?.replace(p)}
            onDelete={(id) => pager?.remove(id)}
          />
        )}
      />
    </>
  );
}
