import { useEffect, useState } from 'preact/hooks';
import { userById } from '../state';

/** `@username` of a user known only by id, linking to their profile. */
export function Username({ id }: { id: string }) {
  const [name, setName] = useState<string | null | undefined>(undefined);
  useEffect(() => void userById(id).then((u) => setName(u?.username ?? null)), [id]);
  if (name === null) return <span class="muted">a deleted account</span>;
  return <a href={`/users/${id}`}>{name ? `@${name}` : '…'}</a>;
}
