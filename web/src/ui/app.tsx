import { useEffect, useRef, useState } from 'preact/hooks';
import { auth } from '../api/client';
import { Icon } from './icons';
import { Shortcuts } from './shortcuts';
import { match, navigate, onLinkClick, useLocation } from '../lib/router';
import { ByUsername, FollowList, ProfilePage } from '../pages/profile';
import { BookmarksPage } from '../pages/bookmarks';
import { Home } from '../pages/home';
import { NotificationsPage } from '../pages/notifications';
import { PostPage } from '../pages/post';
import { SearchPage, TagPage } from '../pages/search';
import { SettingsPage } from '../pages/settings';
import { SignIn, SignUp } from '../pages/auth';
import { composeWanted, currentUser, signOut, unreadCount, useStore } from '../state';

function Nav() {
  const me = useStore(currentUser);
  const unread = useStore(unreadCount);
  const { path } = useLocation();
  // The count in the tab's title, as Twitter and Mastodon show it in a background tab.
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Flock` : 'Flock';
  }, [unread]);
  const current = (href: string) => (path === href ? 'page' : undefined);
  return (
    <header class="top">
      <nav aria-label="Main" class="nav">
        <a class="brand" href="/">
          Flock
        </a>
        {me ? (
          <>
            {/* On a phone these four become the tab bar at the bottom of the screen. */}
            <div class="nav-tabs">
              <a href="/" aria-current={current('/')}>
                <Icon name="home" class="tab-icon" />
                Home
              </a>
              <a href="/search" aria-current={current('/search')}>
                <Icon name="search" class="tab-icon" />
                Search
              </a>
              <a
                href="/notifications"
                aria-current={current('/notifications')}
                id="nav-notifications"
              >
                <Icon name="bell" class="tab-icon" />
                Notifications
                {unread > 0 && (
                  <span class="badge" data-testid="unread-badge">
                    {unread}
                    <span class="visually-hidden"> unread</span>
                  </span>
                )}
              </a>
              <a href={`/users/${me.id}`} aria-current={current(`/users/${me.id}`)}>
                <Icon name="person" class="tab-icon" />
                Profile
              </a>
            </div>
            {path !== '/' && (
              <button
                type="button"
                class="compose-fab"
                onClick={() => {
                  composeWanted.set(true);
                  navigate('/');
                }}
              >
                <Icon name="pencil" />
                <span class="visually-hidden">Write a post</span>
              </button>
            )}
            {/* On a phone the top bar keeps one row: Bookmarks is on one's own profile there. */}
            <a href="/bookmarks" class="wide-only" aria-current={current('/bookmarks')}>
              Bookmarks
            </a>
            <a href="/settings" aria-current={current('/settings')}>
              Settings
            </a>
            <button
              type="button"
              class="link"
              onClick={async () => {
                await signOut();
                navigate('/signin');
              }}
            >
              Sign out
            </button>
          </>
        ) : (
          <>
            <a href="/search">Search</a>
            <a href="/signin" aria-current={current('/signin')}>
              Sign in
            </a>
            <a href="/signup" aria-current={current('/signup')}>
              Sign up
            </a>
          </>
        )}
      </nav>
    </header>
  );
}

function Routes() {
  const me = useStore(currentUser);
  const { path, query } = useLocation();
  const needsAuth = ['/', '/notifications', '/bookmarks', '/settings'].includes(path);
  useEffect(() => {
    if (needsAuth && !me) navigate('/signin', { replace: true });
    if (me && (path === '/signin' || path === '/signup')) navigate('/', { replace: true });
  }, [needsAuth, me, path]);
  // After a navigation the page's heading takes the focus (screen readers announce the new page,
  // the keyboard starts from its top), unless the page has put it somewhere on purpose.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) return void (first.current = false);
    const main = document.getElementById('main');
    const focused = document.activeElement;
    if (main && focused && focused !== main && main.contains(focused)) return;
    const heading = main?.querySelector<HTMLElement>('h1');
    heading?.setAttribute('tabindex', '-1');
    (heading ?? main)?.focus({ preventScroll: true });
  }, [path]);
  let p: Record<string, string> | null;
  if (path === '/') return me ? <Home /> : null;
  if (path === '/signin') return <SignIn />;
  if (path === '/signup') return <SignUp />;
  if (path === '/search') return <SearchPage query={query} />;
  if (path === '/notifications') return me ? <NotificationsPage /> : null;
  if (path === '/bookmarks') return me ? <BookmarksPage /> : null;
  if (path === '/settings')
    return me ? <SettingsPage userId={me.id} username={me.username} /> : null;
  if ((p = match('/posts/:id', path))) return <PostPage id={p.id!} />;
  if ((p = match('/users/:id/followers', path)))
    return <FollowList id={p.id!} direction="followers" />;
  if ((p = match('/users/:id/following', path)))
    return <FollowList id={p.id!} direction="following" />;
  if ((p = match('/users/:id', path))) return <ProfilePage id={p.id!} />;
  if ((p = match('/u/:username', path))) return <ByUsername username={p.username!} />;
  if ((p = match('/tags/:tag', path))) return <TagPage tag={p.tag!} />;
  return (
    <section class="card">
      <h1>Not found</h1>
      <p>
        There is nothing at this address. <a href="/">Go home</a>
      </p>
    </section>
  );
}

export function App() {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    void auth.restore().finally(() => setReady(true));
  }, []);
  return (
    <div onClick={onLinkClick}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Nav />
      <Shortcuts />
      <main id="main" tabIndex={-1}>
        {ready ? <Routes /> : <p class="muted">Loading…</p>}
      </main>
    </div>
  );
}
