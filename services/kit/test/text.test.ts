import { excerpt } from '../src/text.js';

describe('excerpt', () => {
  test('when a text fits, then it is kept whole', () => {
    expect(excerpt('Hello #Flock', 12)).toBe('Hello #Flock');
  });

  test('when a text is longer, then it is cut to the limit with an ellipsis, never inside a character', () => {
    expect(excerpt('Hello brave new world', 10)).toBe('Hello bra…');
    // A flag is one character of four UTF-16 units: it is kept or dropped whole.
    const flags = '🇫🇷'.repeat(5);
    expect(excerpt(flags, 3)).toBe('🇫🇷🇫🇷…');
  });

  test('when the cut falls after a space, then the space is not kept before the ellipsis', () => {
    expect(excerpt('one two three', 5)).toBe('one…');
  });
});
