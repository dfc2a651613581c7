import { useEffect, useState } from 'preact/hooks';
import { userById } from '../state';
import { Avatar } from './components';

/** `@username` of a user known only by id, linking to their profile; with `avatar`, their initials first. */
export function Username({ id, avatar = false }: { id: string; avatar?: boolean }) {
  const [user, setUser] = useState<{ username: string; displayName: string } | null | undefined>(
    undefined,
  );
  useEffect(() => void userById(id).then(setUser), [id]);
  if (user === null) return <span class="muted">a deleted account</span>;
  return (
    <>
      {avatar && user && <Avatar id={id} name={user.displayName || user.username} />}
      <a href={`/users/${id}`}>{user ? `@${user.username}` : '…'}</a>
    </>
  );
}
