/**
 * The state query API's language (components-contrib state/query): a filter tree of
 * EQ/NEQ/GT/GTE/LT/LTE/IN/AND/OR over dotted keys into the JSON value, sort, and paging by
 * limit + token (the token is the offset of the next page). Parsed once here, with daprd's rules
 * (its Go structs: field names in any case, operator names exactly as written); the in-memory
 * evaluator below and the Postgres v1 SQL builder consume the parsed form.
 */
export type Filter =
  | { op: 'EQ' | 'NEQ' | 'GT' | 'GTE' | 'LT' | 'LTE'; key: string[]; value: unknown }
  | { op: 'IN'; key: string[]; values: unknown[] }
  | { op: 'AND' | 'OR'; filters: Filter[] };

export interface StateQuery {
  filter?: Filter;
  sort: Array<{ key: string[]; order: 'ASC' | 'DESC' }>;
  limit?: number;
  offset: number;
}

export interface QueryItem {
  /** The key as stored (`<appId>||<key>`); the API answers with the part after the prefix. */
  key: string;
  data: Buffer;
  etag: string;
}

export interface QueryResult {
  results: QueryItem[];
  token?: string;
}

/** A query daprd cannot decode ("failed to parse JSON query body: …"); the messages are daprd's. */
export class QueryError extends Error {}

const COMPARE = ['EQ', 'NEQ', 'GT', 'GTE', 'LT', 'LTE'] as const;

export function parseQuery(raw: unknown): StateQuery {
  if (!isObject(raw)) throw new QueryError('the query must be a JSON object');
  const q: StateQuery = { sort: [], offset: 0 };
  const filter = field(raw, 'filter');
  if (
    filter !== undefined &&
    filter !== null &&
    !(isObject(filter) && Object.keys(filter).length === 0)
  )
    q.filter = parseFilter(filter);
  const sort = field(raw, 'sort') ?? [];
  if (!Array.isArray(sort)) throw new QueryError('"sort" must be an array');
  for (const s of sort) {
    const key = field(s, 'key');
    const order = String(field(s, 'order') ?? 'ASC').toUpperCase();
    if (typeof key !== 'string' || key === '') throw new QueryError('sort entry without a key');
    if (order !== 'ASC' && order !== 'DESC') throw new QueryError(`invalid sort order "${order}"`);
    q.sort.push({ key: path(key), order });
  }
  const page = field(raw, 'page');
  if (page !== undefined) {
    const limit = field(page, 'limit');
    if (limit !== undefined && limit !== null) {
      if (!Number.isInteger(limit)) throw new QueryError('"page.limit" must be an integer');
      if ((limit as number) > 0) q.limit = limit as number; // 0 or below: no limit, as in daprd
    }
    const token = field(page, 'token');
    if (token !== undefined && token !== null && token !== '') {
      if (typeof token !== 'string') throw new QueryError('"page.token" must be a string');
      q.offset = offsetOf(token);
    }
  }
  return q;
}

/** daprd reads the token when it builds the SQL: its errors are not "failed to parse". */
function offsetOf(token: string): number {
  const n = /^[+-]?\d+$/.test(token) ? Number(token) : NaN;
  if (Number.isNaN(n)) throw new Error(`strconv.ParseInt: parsing "${token}": invalid syntax`);
  if (!Number.isSafeInteger(n))
    throw new Error(`strconv.ParseInt: parsing "${token}": value out of range`);
  if (n < 0) throw new Error('OFFSET must not be negative');
  return n;
}

function parseFilter(raw: unknown): Filter {
  if (!isObject(raw)) throw new QueryError('filter unit must be a map');
  if (Object.keys(raw).length !== 1) throw new QueryError('filter unit must have a single element');
  const [op, arg] = Object.entries(raw)[0] as [string, unknown];
  if (op === 'AND' || op === 'OR') {
    if (!Array.isArray(arg)) throw new QueryError(`${op} filter must be an array`);
    if (arg.length < 2) throw new QueryError(`${op} filter must contain at least two entries`);
    return { op, filters: arg.map(parseFilter) };
  }
  if (op !== 'IN' && !(COMPARE as readonly string[]).includes(op))
    throw new QueryError(`unsupported filter "${op}"`);
  if (!isObject(arg)) throw new QueryError(`${op} filter must be a map`);
  if (Object.keys(arg).length !== 1)
    throw new QueryError(`${op} filter must contain a single key/value pair`);
  const [key, value] = Object.entries(arg)[0] as [string, unknown];
  if (op === 'IN') {
    if (!Array.isArray(value)) throw new QueryError('IN filter value must be an array');
    return { op: 'IN', key: path(key), values: value };
  }
  return { op: op as (typeof COMPARE)[number], key: path(key), value };
}

/** In-memory evaluation over decoded values (state.in-memory). */
export function runQuery(items: Array<QueryItem & { value: unknown }>, q: StateQuery): QueryResult {
  const matching = items.filter((i) => !q.filter || matches(q.filter, i.value));
  matching.sort((a, b) => {
    for (const s of q.sort) {
      const c = compareJson(dig(a.value, s.key), dig(b.value, s.key));
      if (c !== 0) return s.order === 'ASC' ? c : -c;
    }
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
  return page(
    matching.map(({ key, data, etag }) => ({ key, data, etag })),
    q,
  );
}

/** Applies offset/limit to an already filtered, sorted list. */
export function page(all: QueryItem[], q: StateQuery): QueryResult {
  const results = all.slice(q.offset, q.limit === undefined ? undefined : q.offset + q.limit);
  return pageResult(results, q);
}

/** A token is returned when the page is full (there may be more). */
function pageResult(results: QueryItem[], q: StateQuery): QueryResult {
  return q.limit !== undefined && results.length === q.limit
    ? { results, token: String(q.offset + q.limit) }
    : { results };
}

function matches(f: Filter, value: unknown): boolean {
  switch (f.op) {
    case 'AND':
      return f.filters.every((c) => matches(c, value));
    case 'OR':
      return f.filters.some((c) => matches(c, value));
    case 'IN': {
      const v = dig(value, f.key);
      return f.values.some((x) => equalJson(v, x));
    }
    default: {
      const v = dig(value, f.key);
      if (f.op === 'EQ') return equalJson(v, f.value);
      if (f.op === 'NEQ') return v !== undefined && !equalJson(v, f.value);
      // Ordering compares numbers with numbers and strings with strings only (as SQL would).
      if (v === undefined || typeof v !== typeof f.value) return false;
      if (typeof v !== 'number' && typeof v !== 'string') return false;
      const c = compareJson(v, f.value);
      return f.op === 'GT' ? c > 0 : f.op === 'GTE' ? c >= 0 : f.op === 'LT' ? c < 0 : c <= 0;
    }
  }
}

export function dig(value: unknown, key: string[]): unknown {
  let cur = value;
  for (const part of key) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function equalJson(a: unknown, b: unknown): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** jsonb-like ordering: missing last, then by type, numbers numerically, strings by code point. */
function compareJson(a: unknown, b: unknown): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function path(key: string): string[] {
  const parts = key.split('.');
  if (parts.some((p) => p === '')) throw new QueryError(`invalid key "${key}"`);
  return parts;
}

function field(obj: unknown, name: string): unknown {
  if (!isObject(obj)) return undefined;
  const lower = name.toLowerCase();
  const k = Object.keys(obj).find((x) => x.toLowerCase() === lower);
  return k === undefined ? undefined : obj[k];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
