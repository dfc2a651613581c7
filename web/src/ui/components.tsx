import type { ComponentChildren, InputHTMLAttributes } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Post } from '../api/client';
import { toApiError, type ApiError } from '../api/problem';
import { Pager, type PageLoader } from '../lib/paging';
import { characterCount, initialsOf, MAX_POST_LENGTH, parseText, timeAgo } from '../lib/text';
import { bookmarked, currentUser, liked, useStore } from '../state';
import { Icon } from './icons';

/** The error of a call, said plainly, in a live region so screen readers hear it. */
export function ErrorMessage({ error }: { error: ApiError | null | undefined }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error.message}
    </p>
  );
}

/**
 * A person's initials on a colour of their own (a hue from their id), until avatars can be
 * uploaded. Decorative: the name beside it says who it is, so screen readers skip it.
 */
export function Avatar({
  id,
  name,
  size = 'small',
}: {
  id: string;
  name: string;
  size?: 'small' | 'large';
}) {
  let hash = 0;
  for (const c of id) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return (
    <span class={`avatar ${size}`} aria-hidden="true" style={{ '--hue': String(hash % 360) }}>
      {initialsOf(name)}
    </span>
  );
}

/** A page whose subject is not there (deleted, or never was): say so and offer the way back. */
export function Gone({ title, detail }: { title: string; detail: string }) {
  return (
    <section class="card" aria-labelledby="gone-title">
      <h1 id="gone-title">{title}</h1>
      <p class="muted">{detail}</p>
      <p>
        <a href="/">Back to Home</a>
      </p>
    </section>
  );
}

interface FieldProps {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  children?: ComponentChildren;
  input: InputHTMLAttributes;
}

/** A labelled input with its hint and the API's message for it beside it. */
export function Field({ id, label, error, hint, input }: FieldProps) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={id}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} class="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

/** Post text with hashtags, mentions and links as links. */
export function RichText({ text }: { text: string }) {
  return (
    <>
      {parseText(text).map((part, i) => {
        switch (part.kind) {
          case 'tag':
            return (
              <a key={i} href={`/tags/${encodeURIComponent(part.tag)}`}>
                {part.text}
              </a>
            );
          case 'mention':
            return (
              <a key={i} href={`/u/${encodeURIComponent(part.username)}`}>
                {part.text}
              </a>
            );
          case 'link':
            return (
              <a key={i} href={part.href} rel="noopener noreferrer nofollow" target="_blank">
                {part.text}
              </a>
            );
          default:
            return part.text;
        }
      })}
    </>
  );
}

/** A textarea with a live count of user-perceived characters, as the server counts them. */
export function TextComposer(props: {
  id: string;
  label: string;
  submitLabel: string;
  initial?: string;
  placeholder?: string;
  onSubmit: (text: string) => Promise<void>;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const [text, setText] = useState(props.initial ?? '');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (props.autoFocus) ref.current?.focus();
  }, []);
  const count = characterCount(text);
  const left = MAX_POST_LENGTH - count;
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(text);
      if (props.initial === undefined) setText('');
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  const fieldError = error?.fields.text;
  return (
    <form class="composer" onSubmit={submit}>
      <label for={props.id} class="visually-hidden">
        {props.label}
      </label>
      <textarea
        id={props.id}
        ref={ref}
        value={text}
        rows={3}
        placeholder={props.placeholder}
        aria-describedby={`${props.id}-count${fieldError ? ` ${props.id}-error` : ''}`}
        aria-invalid={left < 0 || fieldError ? 'true' : undefined}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit(e);
        }}
      />
      <div class="composer-bar">
        <span
          id={`${props.id}-count`}
          class={left < 0 ? 'count over' : left <= 20 ? 'count near' : 'count'}
          aria-live={left <= 20 ? 'polite' : 'off'}
        >
          {left < 0 ? `${-left} characters over the limit` : `${left} characters left`}
        </span>
        {props.onCancel && (
          <button type="button" class="secondary" onClick={props.onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" disabled={busy || count === 0 || left < 0}>
          {props.submitLabel}
        </button>
      </div>
      {fieldError && (
        <small id={`${props.id}-error`} class="field-error">
          {fieldError}
        </small>
      )}
      {error && !fieldError && <ErrorMessage error={error} />}
    </form>
  );
}

/** One post: author, age, text, like / comment / reply, and edit / delete for its author. */
export function PostCard(props: {
  post: Post;
  onChange?: (post: Post) => void;
  onDelete?: (id: string) => void;
  focus?: boolean;
  /** Shown in its thread, under the post it answers: neither "Replying to" nor a quote of it. */
  inThread?: boolean;
}) {
  const { post } = props;
  const me = useStore(currentUser);
  const isLiked = useStore(liked).has(post.id);
  const isBookmarked = useStore(bookmarked).has(post.id);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const own = me?.id === post.authorId;

  const toggleLike = async () => {
    setError(null);
    try {
      const state = await ok(
        isLiked
          ? api.DELETE('/posts/{id}/like', { params: { path: { id: post.id } } })
          : api.POST('/posts/{id}/like', { params: { path: { id: post.id } } }),
      );
      liked.mark(post.id, state.liked);
      props.onChange?.({ ...post, likesCount: state.likesCount });
    } catch (e) {
      setError(toApiError(e));
    }
  };
  const toggleBookmark = async () => {
    setError(null);
    try {
      const path = { params: { path: { id: post.id } } };
      const state = await ok(
        isBookmarked
          ? api.DELETE('/posts/{id}/bookmark', path)
          : api.POST('/posts/{id}/bookmark', path),
      );
      bookmarked.mark(post.id, state.bookmarked);
    } catch (e) {
      setError(toApiError(e));
    }
  };
  const remove = async () => {
    if (!window.confirm('Delete this post? This cannot be undone.')) return;
    try {
      await ok(api.DELETE('/posts/{id}', { params: { path: { id: post.id } } }));
      props.onDelete?.(post.id);
    } catch (e) {
      setError(toApiError(e));
    }
  };

  return (
    <article
      class={props.focus ? 'post focus' : 'post'}
      aria-labelledby={`post-${post.id}-by`}
      tabIndex={-1}
      data-post-id={post.id}
    >
      <header class="post-head">
        <Avatar id={post.authorId} name={post.authorDisplayName || post.authorUsername} />
        <a id={`post-${post.id}-by`} class="author" href={`/users/${post.authorId}`}>
          {post.authorDisplayName && post.authorDisplayName !== post.authorUsername && (
            <>{post.authorDisplayName} </>
          )}
          @{post.authorUsername}
        </a>
        <a class="age" href={`/posts/${post.id}`}>
          <time dateTime={post.createdAt} title={new Date(post.createdAt).toLocaleString()}>
            {timeAgo(post.createdAt)}
          </time>
          <span class="visually-hidden"> — open post</span>
        </a>
        {post.inReplyTo && !props.inThread && (
          <a class="reply-to" href={`/posts/${post.inReplyTo}`}>
            {post.inReplyToUsername ? `Replying to @${post.inReplyToUsername}` : 'in reply'}
          </a>
        )}
      </header>
      {post.inReplyToExcerpt && !props.inThread && (
        <blockquote class="excerpt reply-context">{post.inReplyToExcerpt}</blockquote>
      )}
      {editing ? (
        <TextComposer
          id={`edit-${post.id}`}
          label="Edit your post"
          submitLabel="Save"
          initial={post.text}
          autoFocus
          onCancel={() => setEditing(false)}
          onSubmit={async (text) => {
            const updated = await ok(
              api.PATCH('/posts/{id}', { params: { path: { id: post.id } }, body: { text } }),
            );
            setEditing(false);
            props.onChange?.(updated);
          }}
        />
      ) : (
        <p class="post-text">
          <RichText text={post.text} />
          {post.updatedAt !== post.createdAt && <span class="edited"> (edited)</span>}
        </p>
      )}
      <footer class="post-actions">
        <button
          type="button"
          class="action"
          aria-pressed={isLiked}
          disabled={!me}
          onClick={() => void toggleLike()}
        >
          {isLiked ? '♥' : '♡'} <span class="label">{isLiked ? 'Liked' : 'Like'}</span>{' '}
          <span class="n">{post.likesCount}</span>
          <span class="visually-hidden"> likes</span>
        </button>
        {/* One conversation: replies and comments are counted and shown together. */}
        <a class="action" href={`/posts/${post.id}#replies`}>
          <Icon name="reply" /> <span class="label">Replies</span>{' '}
          <span class="n">{post.repliesCount + post.commentsCount}</span>
        </a>
        {me && (
          <button
            type="button"
            class="action"
            aria-pressed={isBookmarked}
            onClick={() => void toggleBookmark()}
          >
            <Icon name="bookmark" filled={isBookmarked} />{' '}
            <span class="label">{isBookmarked ? 'Bookmarked' : 'Bookmark'}</span>
          </button>
        )}
        {own && !editing && (
          <>
            <button type="button" class="action" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button type="button" class="action danger" onClick={() => void remove()}>
              Delete
            </button>
          </>
        )}
      </footer>
      <ErrorMessage error={error} />
    </article>
  );
}

/** Keeps a `Pager` in component state and re-renders as it changes. */
export function usePager<T>(load: PageLoader<T>, key: (item: T) => string, deps: unknown[]) {
  const [, setTick] = useState(0);
  const pagerRef = useRef<Pager<T> | null>(null);
  const [pager, setPager] = useState<Pager<T> | null>(null);
  useEffect(() => {
    const created = new Pager(load, key, () => setTick((n) => n + 1));
    pagerRef.current = created;
    setPager(created);
    void created.next();
    return () => created.reset();
  }, deps);
  return pager;
}

/** A list that loads its next page when its end scrolls into view (or on "Load more"). */
/** Runs of neighbours with the same key (undefined: alone), in order. */
export function runsOf<T>(items: readonly T[], keyOf: (item: T) => string | undefined): T[][] {
  const runs: T[][] = [];
  let last: string | undefined;
  for (const item of items) {
    const key = keyOf(item);
    if (key !== undefined && key === last) runs[runs.length - 1]!.push(item);
    else runs.push([item]);
    last = key;
  }
  return runs;
}

export function InfiniteList<T>(props: {
  pager: Pager<T> | null;
  /** Renders an item; with `groupBy`, the first of a run, with the whole run. */
  render: (item: T, run: readonly T[]) => ComponentChildren;
  itemKey: (item: T) => string;
  /** Neighbours with the same key show as one entry ("bob and 7 others liked…"). */
  groupBy?: (item: T) => string | undefined;
  /** Items loaded but not to be shown (now; e.g. posts of someone just unfollowed). */
  hide?: (item: T) => boolean;
  empty: string;
  label: string;
}) {
  const { pager } = props;
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = sentinel.current;
    if (!node || !pager) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) void pager.next();
      },
      { rootMargin: '600px' },
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [pager]);
  if (!pager) return <p class="muted">Loading…</p>;
  const { hide } = props;
  const shown = hide ? pager.items.filter((item) => !hide(item)) : pager.items;
  return (
    <section aria-label={props.label} aria-busy={pager.loading}>
      {shown.length === 0 && pager.done && !pager.error && <p class="muted">{props.empty}</p>}
      <ul class="list">
        {runsOf(shown, props.groupBy ?? (() => undefined)).map((run) => (
          <li key={props.itemKey(run[0]!)}>{props.render(run[0]!, run)}</li>
        ))}
      </ul>
      {pager.error ? <ErrorMessage error={toApiError(pager.error)} /> : null}
      <div ref={sentinel} class="sentinel">
        {pager.loading && <p class="muted">Loading…</p>}
        {!pager.loading && !pager.done && (
          <button type="button" class="secondary" onClick={() => void pager.next()}>
            {pager.error ? 'Try again' : 'Load more'}
          </button>
        )}
      </div>
    </section>
  );
}

/** Posts in a pager, each card editing and deleting itself in place (`onDelete`: and more). */
export function PostList(props: {
  pager: Pager<Post> | null;
  label: string;
  empty: string;
  hide?: (post: Post) => boolean;
  onDelete?: (id: string) => void;
}) {
  const { pager } = props;
  return (
    <InfiniteList
      pager={pager}
      label={props.label}
      itemKey={(post) => post.id}
      hide={props.hide}
      empty={props.empty}
      render={(post) => (
        <PostCard
          post={post}
          onChange={(p) => pager?.replace(p)}
          onDelete={(id) => {
            pager?.remove(id);
            props.onDelete?.(id);
          }}
        />
      )}
    />
  );
}

/** A user's name linking to their profile, resolved from an id. */
export function UserLink({ id, username }: { id: string; username?: string | undefined }) {
  return <a href={`/users/${id}`}>{username ? `@${username}` : 'someone'}</a>;
}
