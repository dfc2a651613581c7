import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Comment, type Post, type Thread } from '../api/client';
import { toApiError, type ApiError } from '../api/problem';
import { conversationPages, replyKey, type Reply } from '../lib/conversation';
import type { Page } from '../lib/paging';
import { navigate } from '../lib/router';
import { timeAgo } from '../lib/text';
import { currentUser, replyWanted, useStore } from '../state';
import { rememberMine } from './posts';
import {
  ErrorMessage,
  Gone,
  InfiniteList,
  PostCard,
  RichText,
  TextComposer,
  usePager,
} from '../ui/components';

export function PostPage({ id }: { id: string }) {
  const me = useStore(currentUser);
  const [thread, setThread] = useState<Thread | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  // The thread's replies, as the conversation's pages read them (see below).
  const replies = useRef<Post[]>([]);
  const threadRead = useRef<Promise<void>>(Promise.resolve());
  const load = async () => {
    try {
      const answer = await ok(api.GET('/posts/{id}/thread', { params: { path: { id } } }));
      const live = answer.ancestors.filter((a): a is Post => !('deleted' in a));
      rememberMine([...live, answer.post, ...answer.replies]);
      replies.current = answer.replies;
      setThread(answer);
    } catch (e) {
      setError(toApiError(e));
    }
  };
  // Sent here by the reply shortcut: the reply box takes the focus once the thread is shown.
  const wantsReply = useStore(replyWanted);
  useEffect(() => {
    if (!wantsReply || !thread) return;
    replyWanted.set(false);
    document.getElementById('reply')?.focus();
  }, [wantsReply, thread]);
  useEffect(() => {
    setThread(null);
    setError(null);
    replies.current = [];
    threadRead.current = load();
  }, [id]);
  // Replies and the comments API's comments are one conversation (see lib/conversation): its
  // first page is asked for alongside the thread, and merged once both have come.
  const conversation = usePager<Reply<Post, Comment>>(
    conversationPages(
      async () => {
        await threadRead.current;
        return replies.current;
      },
      // The documented body wraps the page twice (services/comments marks a page schema as
      // paginated); the wire body is one `{items, nextCursor}`.
      (cursor) =>
        ok(
          api.GET('/posts/{id}/comments', {
            params: { path: { id }, query: { limit: 20, ...(cursor ? { cursor } : {}) } },
          }),
        ) as unknown as Promise<Page<Comment>>,
    ),
    replyKey,
    [id],
  );
  if (error?.status === 404)
    return <Gone title="This post isn’t here" detail="It was deleted, or the link is wrong." />;
  if (error) return <ErrorMessage error={error} />;
  if (!thread) return <p class="muted">Loading…</p>;
  const setPost = (post: Post) => setThread({ ...thread, post });
  return (
    <>
      {thread.ancestors.length > 0 && (
        <section aria-label="Earlier in the thread" class="ancestors">
          <ul class="list">
            {thread.ancestors.map((a) => (
              <li key={a.id}>
                {'deleted' in a ? (
                  <p class="tombstone">This post was deleted.</p>
                ) : (
                  <PostCard post={a as Post} inThread />
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      <h1 class="visually-hidden">Post by @{thread.post.authorUsername}</h1>
      <PostCard
        post={thread.post}
        focus
        inThread
        onChange={setPost}
        onDelete={() => navigate('/', { replace: true })}
      />
      <section id="replies" aria-labelledby="replies-title" class="card">
        <h2 id="replies-title">Replies</h2>
        {me && (
          <TextComposer
            id="reply"
            label={`Reply to @${thread.post.authorUsername}`}
            placeholder={`Reply to @${thread.post.authorUsername}`}
            submitLabel="Reply"
            onSubmit={async (text) => {
              const reply = await ok(api.POST('/posts', { body: { text, inReplyTo: id } }));
              replies.current = [...replies.current, reply];
              // The newest: at the end once the list is whole; until then it is read in its turn.
              if (conversation?.done) conversation.append([{ kind: 'post', item: reply }]);
              setPost({ ...thread.post, repliesCount: thread.post.repliesCount + 1 });
            }}
          />
        )}
        <InfiniteList
          pager={conversation}
          label="Replies"
          itemKey={replyKey}
          empty="No replies yet."
          render={(reply) =>
            reply.kind === 'post' ? (
              <PostCard
                post={reply.item}
                inThread
                onChange={(item) => conversation?.replace({ kind: 'post', item })}
                onDelete={() => {
                  conversation?.remove(replyKey(reply));
                  setPost({
                    ...thread.post,
                    repliesCount: Math.max(0, thread.post.repliesCount - 1),
                  });
                }}
              />
            ) : (
              <CommentView
                comment={reply.item}
                onChange={(item) => conversation?.replace({ kind: 'comment', item })}
                onDelete={() => {
                  conversation?.remove(replyKey(reply));
                  setPost({
                    ...thread.post,
                    commentsCount: Math.max(0, thread.post.commentsCount - 1),
                  });
                }}
              />
            )
          }
        />
        {thread.repliesTruncated && (
          <p class="muted">Later replies are not shown (the thread shows the first ones).</p>
        )}
      </section>
    </>
  );
}

/**
 * A comment made through the comments API (the seeds' flat comments), shown as a reply: the
 * same place and look, without the actions a post has (it cannot be liked or replied to).
 */
function CommentView(props: {
  comment: Comment;
  onChange: (c: Comment) => void;
  onDelete: () => void;
}) {
  const { comment } = props;
  const me = useStore(currentUser);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const own = me?.id === comment.authorId;
  const remove = async () => {
    if (!window.confirm('Delete this comment?')) return;
    try {
      await ok(api.DELETE('/comments/{id}', { params: { path: { id: comment.id } } }));
      props.onDelete();
    } catch (e) {
      setError(toApiError(e));
    }
  };
  return (
    <article class="post comment" aria-label={`Reply by @${comment.authorUsername}`}>
      <header class="post-head">
        <a class="author" href={`/users/${comment.authorId}`}>
          @{comment.authorUsername}
        </a>
        <time dateTime={comment.createdAt}>{timeAgo(comment.createdAt)}</time>
      </header>
      {editing ? (
        <TextComposer
          id={`edit-comment-${comment.id}`}
          label="Edit your comment"
          submitLabel="Save"
          initial={comment.text}
          autoFocus
          onCancel={() => setEditing(false)}
          onSubmit={async (text) => {
            props.onChange(
              await ok(
                api.PATCH('/comments/{id}', {
                  params: { path: { id: comment.id } },
                  body: { text },
                }),
              ),
            );
            setEditing(false);
          }}
        />
      ) : (
        <p class="post-text">
          <RichText text={comment.text} />
        </p>
      )}
      {own && !editing && (
        <footer class="post-actions">
          <button type="button" class="action" onClick={() => setEditing(true)}>
            Edit
          </button>
          <button type="button" class="action danger" onClick={() => void remove()}>
            Delete
          </button>
        </footer>
      )}
      <ErrorMessage error={error} />
    </article>
  );
}
