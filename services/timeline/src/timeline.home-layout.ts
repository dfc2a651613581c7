import { HOME_CAP, mergeEntries, newerFirst } from './timeline.domain.js';
import type { Entry, HomePosition } from './timeline.schemas.js';

/*
 * How one home timeline is laid out in the store, as pure functions (timeline.store.ts does the
 * I/O). A small head document holds the newest entries and an index of sealed chunks:
 *   home:<userId>            {entries ≤ HEAD_MAX newest first, chunks: [{id, top, count}] newest first}
 *   home:<userId>:<chunkId>  {entries}: those at or below its `top` and above the next chunk's
 * A new post lands in the head (read and rewrite ≤ HEAD_MAX entries, not the whole timeline);
 * once the head passes HEAD_MAX, all but its newest HEAD_KEEP are sealed into a new chunk. An
 * older entry (a backfill) goes to the chunk whose range holds it. A page reads the head and,
 * past it, only the chunks it reaches. `count` lets a read stop at HOME_CAP and lets sealing drop
 * the chunks that lie wholly beyond it.
 */
export const HEAD_MAX = 60;
export const HEAD_KEEP = 20;

export interface ChunkRef {
  id: string;
  /** The newest position the chunk holds entries up to. */
  top: HomePosition;
  count: number;
}

export interface HomeHead {
  entries: Entry[];
  /** Older than anything in the head, newest first. Absent in documents of the one-list layout. */
  chunks?: ChunkRef[];
}

const at = (p: HomePosition): Entry => ({ postId: p.id, authorId: '', createdAt: p.t });
export const positionOf = (e: Entry): HomePosition => ({ t: e.createdAt, id: e.postId });
/** The entry is at or below the position (older or the same). */
const atOrBelow = (e: Entry, p: HomePosition) => newerFirst(e, at(p)) >= 0;

/** Which chunk holds (or would hold) an entry's position: -1 for the head. */
export function chunkIndexOf(head: HomeHead, e: Entry): number {
  const chunks = head.chunks ?? [];
  let index = -1;
  while (index + 1 < chunks.length && atOrBelow(e, chunks[index + 1]!.top)) index++;
  return index;
}

const same = (a: readonly Entry[], b: readonly Entry[]) =>
  a.length === b.length && a.every((e, i) => e.postId === b[i]!.postId);

export interface MergePlan {
  /** The new head; undefined when the head is unchanged. */
  head?: HomeHead;
  /** Entries to merge into sealed chunks, by chunk id (the caller reads, merges, recounts). */
  intoChunks: Map<string, Entry[]>;
  /** A new chunk, written insert-only in the transaction that puts it in the head's index. */
  sealed?: { id: string; entries: Entry[] };
  /** Chunks the cap pushed out: to delete. */
  dropped: string[];
}

/** Merging `incoming` into one home: what changes where. */
export function planMerge(head: HomeHead, incoming: readonly Entry[], newId: () => string) {
  const plan: MergePlan = { intoChunks: new Map(), dropped: [] };
  const toHead: Entry[] = [];
  for (const e of incoming) {
    const index = chunkIndexOf(head, e);
    if (index < 0) toHead.push(e);
    else {
      const id = head.chunks![index]!.id;
      plan.intoChunks.set(id, [...(plan.intoChunks.get(id) ?? []), e]);
    }
  }
  const merged = mergeEntries(head.entries, toHead, Infinity);
  if (same(merged, head.entries)) return plan;
  if (merged.length <= HEAD_MAX) {
    plan.head = { ...head, entries: merged };
    return plan;
  }
  const sealed = merged.slice(HEAD_KEEP);
  const id = newId();
  plan.sealed = { id, entries: sealed };
  const ref: ChunkRef = { id, top: positionOf(sealed[0]!), count: sealed.length };
  plan.head = { entries: merged.slice(0, HEAD_KEEP), chunks: [ref, ...(head.chunks ?? [])] };
  return trimmed(plan);
}

/** Drops the chunks that start at or beyond HOME_CAP entries. */
function trimmed(plan: MergePlan): MergePlan {
  const head = plan.head!;
  const chunks = head.chunks ?? [];
  let start = head.entries.length;
  let keep = 0;
  while (keep < chunks.length && start < HOME_CAP) start += chunks[keep++]!.count;
  plan.dropped.push(...chunks.slice(keep).map((c) => c.id));
  plan.head = { ...head, chunks: chunks.slice(0, keep) };
  return plan;
}

/** The head with some chunks' counts replaced and empty chunks left out of the index. */
export function recounted(head: HomeHead, counts: ReadonlyMap<string, number>): HomeHead {
  const chunks = (head.chunks ?? [])
    .map((c) => (counts.has(c.id) ? { ...c, count: counts.get(c.id)! } : c))
    .filter((c) => c.count > 0);
  return { ...head, chunks };
}

/**
 * Where a page after `after` starts: the chunk to read first (-1: the head) and how many entries
 * of the timeline lie before that chunk (so a read can stop at HOME_CAP).
 */
export function pageStart(head: HomeHead, after?: HomePosition): { index: number; before: number } {
  const index = after === undefined ? -1 : chunkIndexOf(head, at(after));
  let before = index < 0 ? 0 : head.entries.length;
  for (let i = 0; i < index; i++) before += head.chunks![i]!.count;
  return { index, before };
}

export const olderThan = (e: Entry, p: HomePosition | undefined) =>
  p === undefined || newerFirst(e, at(p)) > 0;
