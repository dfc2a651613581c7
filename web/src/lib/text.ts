/** Post text as the server measures and parses it (services/kit text.ts, posts.text.ts). */
export const MAX_POST_LENGTH = 500;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** User-perceived characters after NFC and trimming: a flag or a family emoji counts once. */
export function characterCount(text: string): number {
  return Array.from(graphemes.segment(text.normalize('NFC').trim())).length;
}

export type TextPart =
  | { kind: 'text'; text: string }
  | { kind: 'tag'; text: string; tag: string }
  | { kind: 'mention'; text: string; username: string }
  | { kind: 'link'; text: string; href: string };

// The server's rules: a tag is not all digits and not inside a word or URL; a mention is a
// valid username not inside an email address. URLs are linked too (http/https only).
const TOKEN =
  /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'])|(?<![\p{L}\p{N}_&/#])#([\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*)|(?<![\p{L}\p{N}_@.])@([A-Za-z0-9_]{3,30})(?![\p{L}\p{N}_@])/gu;

/** Splits a post into plain text, hashtags, mentions and links, in order. */
export function parseText(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    const index = match.index ?? 0;
    if (index > last) parts.push({ kind: 'text', text: text.slice(last, index) });
    const [whole, url, tag, username] = match;
    if (url) parts.push({ kind: 'link', text: whole, href: url });
    else if (tag) parts.push({ kind: 'tag', text: whole, tag: tag.toLowerCase() });
    else if (username)
      parts.push({ kind: 'mention', text: whole, username: username.toLowerCase() });
    last = index + whole.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

/** "3m", "2h", "5d" or a date, for a post's age. */
export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  if (seconds < 7 * 86_400) return `${Math.floor(seconds / 86_400)}d`;
  return new Date(iso).toLocaleDateString();
}

/** Up to two initials of a name, by user-perceived character (an emoji or flag is one). */
export function initialsOf(name: string): string {
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const first = (word: string) => segmenter.segment(word)[Symbol.iterator]().next().value?.segment;
  const words = name
    .replace(/^@/, '')
    .split(/[\s_.-]+/)
    .filter(Boolean);
  return words
    .slice(0, 2)
    .map((w) => first(w) ?? '')
    .join('')
    .toLocaleUpperCase();
}
