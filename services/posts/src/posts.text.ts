/**
 * Post text rules, pure: length in user-perceived characters (grapheme clusters, so an emoji
 * with modifiers or a flag counts once), and the hashtags and mentions a text carries.
 */
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

export const MAX_TEXT_LENGTH = 500;

/** Canonical form of a post or comment text: Unicode NFC, surrounding whitespace trimmed. */
export function normalizeText(text: string): string {
  return text.normalize('NFC').trim();
}

export function characterCount(text: string): number {
  return Array.from(graphemes.segment(text)).length;
}

// A tag starts after a non-word character (not inside "a#b" or a URL fragment "/#x"), holds
// letters, digits and underscores, and is not all digits (Mastodon's rule, so "#1" is no tag).
const HASHTAG = /(?<![\p{L}\p{N}_&/#])#([\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*)/gu;
// A mention is a username as users allows it (3..30 letters, digits, underscores), not part of
// an email address ("a@b.c") and not cut out of a longer word.
const MENTION = /(?<![\p{L}\p{N}_@.])@([A-Za-z0-9_]{3,30})(?![\p{L}\p{N}_@])/gu;

const MAX_TAG_LENGTH = 100;

function distinctLowerCase(text: string, pattern: RegExp, maxLength: number): string[] {
  const seen = new Set<string>();
  for (const match of text.matchAll(pattern)) {
    const value = (match[1] ?? '').toLowerCase();
    if (value.length > 0 && value.length <= maxLength) seen.add(value);
  }
  return [...seen];
}

/** Distinct hashtags without the `#`, lower-case, in order of first appearance. */
export function hashtagsOf(text: string): string[] {
  return distinctLowerCase(text, HASHTAG, MAX_TAG_LENGTH);
}

/** Distinct mentioned usernames without the `@`, lower-case, in order of first appearance. */
export function mentionsOf(text: string): string[] {
  return distinctLowerCase(text, MENTION, 30);
}
