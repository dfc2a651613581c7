import type { Filter, StateQuery } from './query.js';

/**
 * daprd's query translation for `state.postgresql` v1 (components-contrib
 * common/component/postgresql/v1/postgresql_query.go), reproduced with its quirks, because a
 * query must answer the same on both runtimes:
 *  - every comparison is on TEXT: `value->'a'->>'b'` against the filter value printed by Go's
 *    `%v` (25 → '25', 1000000 → '1e+06', true → 'true'), so GT/LT order digits as text;
 *  - GT/GTE/LT/LTE refuse a string value outright;
 *  - no key-prefix scoping and no TTL check: every row of the table is visible;
 *  - sort without a tie-breaker; the page token is the OFFSET.
 * Unlike daprd, keys and values travel as bind parameters, never spliced into the SQL.
 */
export function v1QuerySql(table: string, q: StateQuery): { text: string; params: string[] } {
  const params: string[] = [];
  let text = `SELECT key, value::text AS value, xmin::text AS etag FROM ${table}`;
  if (q.filter) text += ` WHERE ${where(q.filter, params)}`;
  if (q.sort.length > 0)
    text += ` ORDER BY ${q.sort.map((s) => `${field(s.key, params)} ${s.order}`).join(', ')}`;
  if (q.limit !== undefined) text += ` LIMIT ${q.limit}`;
  if (q.offset > 0) text += ` OFFSET ${q.offset}`;
  return { text, params };
}

const OPERATOR = { EQ: '=', NEQ: '!=', GT: '>', GTE: '>=', LT: '<', LTE: '<=' } as const;

function where(f: Filter, params: string[]): string {
  switch (f.op) {
    case 'AND':
    case 'OR':
      return `(${f.filters.map((c) => where(c, params)).join(` ${f.op} `)})`;
    case 'IN':
      if (f.values.length === 0) throw new Error(`empty IN operator for key "${f.key.join('.')}"`);
      return `(${f.values.map((v) => compare(f.key, '=', v, params)).join(' OR ')})`;
    case 'EQ':
    case 'NEQ':
      return compare(f.key, OPERATOR[f.op], f.value, params);
    default:
      if (typeof f.value === 'string')
        throw new Error(`unsupported type of value ${f.value}; string type not permitted`);
      return compare(f.key, OPERATOR[f.op], f.value, params);
  }
}

function compare(key: string[], op: string, value: unknown, params: string[]): string {
  const target = field(key, params);
  params.push(goPrint(value));
  return `${target}${op}$${params.length}::text`;
}

/** `value->'a'->>'b'`: the last step as text, as daprd's translateFieldToFilter writes it. */
function field(key: string[], params: string[]): string {
  return key.reduce((sql, part, i) => {
    params.push(part);
    return `${sql}${i === key.length - 1 ? '->>' : '->'}$${params.length}::text`;
  }, 'value');
}

/** Go's `fmt.Sprintf("%v", v)` of a value decoded by encoding/json. */
export function goPrint(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return `map[${entries.map(([k, x]) => `${k}:${goPrint(x)}`).join(' ')}]`;
}

/** `%v` of a float64: shortest digits, exponent form below 1e-4 and from 1e6 (`1e+06`). */
function goFloat(n: number): string {
  if (Object.is(n, -0)) return '-0';
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e >= -4 && e < 6) return String(n);
  const digits = String(Math.abs(e)).padStart(2, '0');
  return `${mantissa}e${e < 0 ? '-' : '+'}${digits}`;
}
