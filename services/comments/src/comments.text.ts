/**
 * Comment text rules, as posts has them: Unicode NFC, trimmed, length in user-perceived
 * characters (grapheme clusters). (A candidate for the kit: posts has the same rules.)
 */
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

export const MAX_TEXT_LENGTH = 500;

export function normalizeText(text: string): string {
  return text.normalize('NFC').trim();
}

export function characterCount(text: string): number {
  return Array.from(graphemes.segment(text)).length;
}
