import { ApiError, fieldName, toApiError } from '../../src/api/problem';
import { characterCount, initialsOf, parseText } from '../../src/lib/text';

describe('characterCount (as the server counts: NFC, trimmed, graphemes)', () => {
  test.each([
    ['hello', 5],
    ['  padded  ', 6],
    ['🇫🇷', 1],
    ['👨‍👩‍👧‍👦', 1],
    ['e\u0301', 1],
    ['👍🏽👍🏽', 2],
    ['', 0],
  ])('%j counts %d', (text, count) => {
    expect(characterCount(text)).toBe(count);
  });

  test('when 500 flags are typed, then they count as 500 although they are 2,000 UTF-16 units', () => {
    const text = '🇫🇷'.repeat(500);
    expect(text.length).toBe(2000);
    expect(characterCount(text)).toBe(500);
  });
});

describe('parseText', () => {
  test('when a post has hashtags, mentions and a link, then each becomes its own part', () => {
    expect(parseText('hi @Bob, see #Flock at https://x.dev/a#b.')).toEqual([
      { kind: 'text', text: 'hi ' },
      { kind: 'mention', text: '@Bob', username: 'bob' },
      { kind: 'text', text: ', see ' },
      { kind: 'tag', text: '#Flock', tag: 'flock' },
      { kind: 'text', text: ' at ' },
      { kind: 'link', text: 'https://x.dev/a#b', href: 'https://x.dev/a#b' },
      { kind: 'text', text: '.' },
    ]);
  });

  test('when text has an email, an all-digit tag or a#b, then they stay text (the server agrees)', () => {
    expect(parseText('mail a@b.co #1 a#b').every((p) => p.kind === 'text')).toBe(true);
  });
});

describe('problem details', () => {
  test('when the API lists field errors, then they are keyed by form field', () => {
    const error = new ApiError({
      status: 400,
      detail: 'The request is invalid',
      errors: [
        { path: 'username', message: 'at least 3 characters' },
        { path: 'body.email', message: 'a valid email address' },
      ],
    });
    expect(error.message).toBe('The request is invalid');
    expect(error.fields).toEqual({
      username: 'at least 3 characters',
      email: 'a valid email address',
    });
    expect(fieldName('/password')).toBe('password');
  });

  test('when the network fails, then the message says Flock cannot be reached', () => {
    expect(toApiError(new TypeError('Failed to fetch')).message).toMatch(/cannot be reached/);
  });
});

describe('initialsOf (the avatar until one is uploaded)', () => {
  test.each([
    ['Alice Liddell', 'AL'],
    ['alice', 'A'],
    ['@bob_the_builder', 'BT'],
    ['🇫🇷 Marie', '🇫🇷M'],
    ['élodie durand', 'ÉD'],
  ])('%s → %s', (name, initials) => {
    expect(initialsOf(name)).toBe(initials);
  });
});
