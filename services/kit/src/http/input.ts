import type { RequestHandler } from 'express';
import { badRequest, type FieldError } from '../errors.js';

/**
 * What every request must be before any route sees it. Postgres `text` cannot hold NUL and
 * UTF-8 cannot encode a lone UTF-16 surrogate: such a string, once stored, breaks every later
 * read of the list it sits in. So it is refused at the edge, in every body, query and path,
 * rather than by each schema of each service.
 */
// With the u flag, \p{Cs} matches only unpaired surrogates. NUL is the control char meant here.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /[\u0000\p{Cs}]/u;

export function unstorable(text: string): string | undefined {
  if (!UNSTORABLE.test(text)) return undefined;
  return text.includes('\u0000')
    ? 'must not contain NUL (U+0000)'
    : 'must not contain a lone surrogate (not valid Unicode)';
}

/**
 * The first string (or property name) in a parsed JSON value that cannot be stored, named by its
 * path (`tags.1.name`). The value's depth is bounded by `jsonDepthGuard`, so recursion is safe.
 */
export function unstorableField(value: unknown, path: string[] = []): FieldError | undefined {
  const at = (message: string, where = path) => ({ path: where.join('.'), message });
  if (typeof value === 'string') {
    const message = unstorable(value);
    return message === undefined ? undefined : at(message);
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const keyMessage = unstorable(key);
    if (keyMessage !== undefined) return at(`a property name ${keyMessage}`);
    const found = unstorableField(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * express.json's `verify` hook: refuses a body nested deeper than `maxDepth` while it is still
 * bytes, in one linear scan, so no parser, walker or `JSON.stringify` downstream ever recurses
 * through thousands of levels (5,000 overflowed the gateway's proxy).
 */
export function jsonDepthGuard(maxDepth: number) {
  return (_req: unknown, _res: unknown, body: Buffer): void => {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < body.length; i++) {
      const byte = body[i]!;
      if (inString) {
        if (byte === BACKSLASH) i++;
        else if (byte === QUOTE) inString = false;
      } else if (byte === QUOTE) inString = true;
      else if (OPEN.has(byte) && ++depth > maxDepth)
        throw badRequest(`The request body is nested deeper than ${maxDepth} levels.`);
      else if (CLOSE.has(byte)) depth--;
    }
  };
}

/** Each decoded path segment, or the reason the path cannot be decoded. */
function pathProblem(path: string): string | undefined {
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return 'is not valid percent-encoded UTF-8';
    }
    const message = unstorable(decoded);
    if (message !== undefined) return message;
  }
  return undefined;
}

/** Refuses a request whose path, query or parsed JSON body holds what cannot be stored: 400. */
export const storableInput: RequestHandler = (req, _res, next) => {
  const pathMessage = pathProblem(req.path);
  const problem =
    pathMessage !== undefined
      ? { path: 'path', message: pathMessage }
      : (named(unstorableField(req.query), 'query') ?? named(unstorableField(req.body), 'body'));
  next(problem && badRequest('The request holds text that cannot be stored.', [problem]));
};

/** A problem at the root (a bare string body, a bad query key) is named after its part. */
const named = (problem: FieldError | undefined, part: string) =>
  problem && { ...problem, path: problem.path || part };
