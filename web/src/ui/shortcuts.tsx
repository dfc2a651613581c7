import { useEffect, useRef, useState } from 'preact/hooks';
import { navigate } from '../lib/router';
import { composeWanted, replyWanted } from '../state';

/** Mastodon's keys, as its web client and Elk have them. */
export const SHORTCUTS: ReadonlyArray<readonly [key: string, what: string]> = [
  ['j', 'next post'],
  ['k', 'previous post'],
  ['o or Enter', 'open the post'],
  ['l', 'like or unlike the post'],
  ['r', 'reply to the post'],
  ['n', 'write a new post'],
  ['?', 'show these shortcuts'],
];

const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

const posts = () => [...document.querySelectorAll<HTMLElement>('main article.post')];
const current = () => document.activeElement?.closest<HTMLElement>('article.post') ?? null;

/** Moves the focus `step` posts on from the focused one (from the top when none is). */
function move(step: 1 | -1): void {
  const all = posts();
  if (all.length === 0) return;
  const at = all.indexOf(current() as HTMLElement);
  const next = all[at === -1 ? (step === 1 ? 0 : all.length - 1) : at + step];
  if (!next) return;
  next.focus();
  next.scrollIntoView({ block: 'nearest' });
}

/** The keyboard shortcuts, and `?` shows them; nothing fires while one types in a field. */
export function Shortcuts() {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (open) dialog.current?.showModal();
    else dialog.current?.close();
  }, [open]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey) return;
      if (typing(event.target)) return;
      const post = current();
      const postId = post?.dataset.postId;
      const act: Record<string, (() => void) | undefined> = {
        j: () => move(1),
        k: () => move(-1),
        n: () => {
          composeWanted.set(true);
          navigate('/');
        },
        '?': () => setOpen(true),
        ...(postId && {
          o: () => navigate(`/posts/${postId}`),
          Enter: event.target === post ? () => navigate(`/posts/${postId}`) : undefined,
          l: () => post.querySelector<HTMLButtonElement>('button[aria-pressed]')?.click(),
          r: () => {
            replyWanted.set(true);
            navigate(`/posts/${postId}`);
          },
        }),
      };
      const run = act[event.key];
      if (!run) return;
      event.preventDefault();
      run();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <dialog ref={dialog} aria-labelledby="shortcuts-title" onClose={() => setOpen(false)}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <dl class="shortcuts">
        {SHORTCUTS.map(([key, what]) => (
          <div key={key}>
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <button type="button" onClick={() => setOpen(false)}>
        Close
      </button>
    </dialog>
  );
}
