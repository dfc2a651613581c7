import { ApiError } from './errors.js';

/**
 * Helpers that mirror how daprd decodes request JSON with Go's encoding/json: field names match
 * case-insensitively (the JS SDK sends `entryID` where Go expects `entryId`), unknown fields are
 * ignored, and `any` values are re-encoded with object keys sorted.
 */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new ApiError(
      400,
      'ERR_MALFORMED_REQUEST',
      `failed deserializing HTTP body: ${(err as Error).message}`,
    );
  }
}

/** A field of a JSON object, looked up case-insensitively. */
export function field(obj: unknown, name: string): unknown {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  const record = obj as Record<string, unknown>;
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

/** A `map[string]string` field: values must be strings, as Go would insist. */
export function stringMap(obj: unknown, name: string): Record<string, string> {
  const value = field(obj, name);
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError(400, 'ERR_MALFORMED_REQUEST', `"${name}" must be an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw new ApiError(400, 'ERR_MALFORMED_REQUEST', `"${name}.${k}" must be a string`);
    out[k] = v;
  }
  return out;
}

export function optionalString(obj: unknown, name: string): string | undefined {
  const value = field(obj, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new ApiError(400, 'ERR_MALFORMED_REQUEST', `"${name}" must be a string`);
  return value;
}

/** Go's json.Marshal of a decoded `any`: objects come back with their keys sorted. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
