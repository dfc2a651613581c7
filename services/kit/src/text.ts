import { z } from 'zod';

/**
 * User-written text (posts, comments): Unicode NFC, trimmed, measured in user-perceived
 * characters (grapheme clusters), so an emoji with modifiers or a flag counts once.
 */
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

export function normalizeText(text: string): string {
  return text.normalize('NFC').trim();
}

export function characterCount(text: string): number {
  return Array.from(graphemes.segment(text)).length;
}

/** A required text of 1..max characters; whitespace-only counts as empty. */
export const userText = (max: number) =>
  z
    .string()
    .transform(normalizeText)
    .refine((text) => text.length > 0, 'must not be empty or whitespace only')
    .refine((text) => characterCount(text) <= max, `at most ${max} characters`);
