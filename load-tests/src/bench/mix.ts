/**
 * DeathStarBench's social-network mix (mixed-workload.lua): 60% read home timeline, 30% read a
 * user timeline, 10% compose, users picked uniformly. Timelines are read as their first page of
 * 10 (DSB reads 10 posts from a random offset of 0–100; Flock pages by cursor, not offset).
 * Compose carries random text with 1–3 @mentions and a URL, like DSB's generator (which adds
 * 1–6 of each and media ids; Flock has no media).
 */
import { PUBLIC_API_PREFIX } from '@flock/kit';
import { Random } from '../seed/prng.js';
import type { PlannedRequest } from './open-loop.js';

export interface MixUser {
  id: string;
  username: string;
  token: string;
}

/** `flock` authenticates with the bearer token; the monolith baseline reads `x-user-id`. */
export type MixTarget = 'flock' | 'monolith' | 'bare';

export const DSB_MIX = { home: 0.6, user: 0.3, compose: 0.1 } as const;

export function dsbMix(
  users: readonly MixUser[],
  target: MixTarget,
  seed: number,
): (index: number) => PlannedRequest {
  const random = new Random(seed);
  const pickUser = () => users[Math.floor(random.next() * users.length)]!;
  const auth = (user: MixUser): Record<string, string> =>
    target === 'monolith' ? { 'x-user-id': user.id } : { authorization: `Bearer ${user.token}` };
  return () => {
    const roll = random.next();
    const user = pickUser();
    if (roll < DSB_MIX.home) {
      return {
        kind: 'home',
        method: 'GET',
        path: `${PUBLIC_API_PREFIX}/timeline/home?limit=10`,
        headers: auth(user),
      };
    }
    if (roll < DSB_MIX.home + DSB_MIX.user) {
      return {
        kind: 'user',
        method: 'GET',
        path: `${PUBLIC_API_PREFIX}/users/${pickUser().id}/timeline?limit=10`,
        headers: auth(user),
      };
    }
    const mentions = Array.from({ length: random.int(1, 3) }, () => `@${pickUser().username}`);
    const text = `${random.text(160)} ${mentions.join(' ')} http://${random.text(32)}.example`;
    return {
      kind: 'compose',
      method: 'POST',
      path: `${PUBLIC_API_PREFIX}/posts`,
      headers: { ...auth(user), 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    };
  };
}
