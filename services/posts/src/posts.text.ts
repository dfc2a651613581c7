/** The hashtags and mentions a post's text carries (length rules are the kit's userText). */
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
