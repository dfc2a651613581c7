import { z } from 'zod';

/**
 * User-written text (posts, comments): Unicode NFC, trimmed, measured in user-perceived
 * characters (grapheme clusters), so an emoji with modifiers or a flag counts once.
 */
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * The most UTF-16 code units a character may take on average. The longest common clusters (a
 * family emoji with skin tones: 19, a subdivision flag: 14) fit; a text longer than this bound
 * is refused before any grapheme is counted, because V8's segmenter costs more per segment the
 * longer the string is (a 60,000-character post took 9 s to count).
 */
const CODE_UNITS_PER_CHARACTER = 32;

export function normalizeText(text: string): string {
  return text.normalize('NFC').trim();
}

export function characterCount(text: string): number {
  return Array.from(graphemes.segment(text)).length;
}

/** Whether `text` has more than `max` characters, counting no further than needed to know. */
function longerThan(text: string, max: number): boolean {
  if (text.length <= max) return false; // each character is at least one code unit
  const segments = graphemes.segment(text)[Symbol.iterator]();
  for (let count = 0; !segments.next().done; count++) if (count >= max) return true;
  return false;
}

/** `text` cut to at most `max` characters, the cut marked with "…" (for previews of a post). */
export function excerpt(text: string, max: number): string {
  if (!longerThan(text, max)) return text;
  const kept: string[] = [];
  for (const { segment } of graphemes.segment(text)) {
    if (kept.length === max - 1) break;
    kept.push(segment);
  }
  return `${kept.join('').trimEnd()}…`;
}

/** A required text of 1..max characters; whitespace-only counts as empty. */
export const userText = (max: number) =>
  z
    .string()
    // A refinement, not .max(): the documented limit is in characters, not code units.
    .refine((text) => text.length <= max * CODE_UNITS_PER_CHARACTER, {
      message: `at most ${max} characters`,
      abort: true,
    })
    .transform(normalizeText)
    .refine((text) => text.length > 0, 'must not be empty or whitespace only')
    .refine((text) => !longerThan(text, max), `at most ${max} characters`);
