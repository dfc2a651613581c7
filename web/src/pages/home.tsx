import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Post, type TimelineEntry } from '../api/client';
import { newerThanShown } from '../lib/paging';
import { composeWanted, homeUpdates, unfollowed, useStore } from '../state';
import { PostList, TextComposer, usePager } from '../ui/components';
import { timelinePage, timelinePosts, withoutUnfollowed } from './posts';

/**
 * The live stream says when the home timeline got posts. Now and then Home also checks by itself:
 * a notice is best effort, and a celebrity's posts are merged at read time, never announced.
 */
const FALLBACK_CHECK_MS = 60_000;
const PAGE = 20;

export function Home() {
  const pager = usePager<Post>(
    async (cursor) =>
      timelinePage(
        await ok(
          api.GET('/timeline/home', {
            params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } },
          }),
        ),
      ),
    (post) => post.id,
    [],
  );
  // Unfollowed here: hidden at once, even from a page that was on its way (see `unfollowed`).
  const gone = useStore(unfollowed);
  const [fresh, setFresh] = useState<TimelineEntry[]>([]);
  const marked = useRef(false);

  // Sent here by the compose button: the composer takes the focus.
  const wanted = useStore(composeWanted);
  useEffect(() => {
    if (!wanted) return;
    composeWanted.set(false);
    document.getElementById('compose')?.focus();
  }, [wanted]);

  // First render of the timeline, for the performance budget (read by the browser test).
  useEffect(() => {
    if (!marked.current && pager && (pager.items.length > 0 || pager.done)) {
      marked.current = true;
      performance.mark('flock:home-rendered');
    }
  });

  // New posts are announced, not pushed in under the reader: on each live notice (and now and
  // then), read the head of the timeline and offer what is newer than anything shown.
  const updates = useStore(homeUpdates);
  const checkHead = useRef<() => Promise<void>>(async () => undefined);
  useEffect(() => {
    if (!pager) return;
    checkHead.current = async () => {
      // A page is on its way: check once it has come, or the notice would be lost.
      if (pager.loading) return void setTimeout(() => void checkHead.current(), 500);
      try {
        const head = await ok(api.GET('/timeline/home', { params: { query: { limit: PAGE } } }));
        const above = newerThanShown(head.items, (e) => pager.has(e.postId));
        const newer = withoutUnfollowed(above);
        const shown = withoutUnfollowed(pager.items).length;
        if (shown === 0 && !pager.done) return;
        // Nothing is shown yet (a new follower's first posts): nothing to push away, so show them.
        if (shown === 0) return pager.prepend(timelinePosts(newer));
        setFresh(newer);
        // Older posts that came in below the top (someone followed: their recent posts are
        // copied in) push nothing the reader is looking at away: they go in their place.
        pager.fillIn(
          timelinePosts(head.items.slice(above.length)),
          (a, b) => a.createdAt > b.createdAt,
        );
      } catch {
        // the next notice or check tries again
      }
    };
    const timer = setInterval(() => {
      if (!document.hidden) void checkHead.current();
    }, FALLBACK_CHECK_MS);
    return () => clearInterval(timer);
  }, [pager]);
  useEffect(() => {
    if (updates > 0) void checkHead.current();
  }, [updates]);

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
      <PostList
        pager={pager}
        label="Home timeline"
        hide={(post) => gone.has(post.authorId)}
        empty="Nothing here yet. Follow people or write your first post."
      />
    </>
  );
}
