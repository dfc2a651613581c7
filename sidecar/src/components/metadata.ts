/**
 * Resolved component metadata. Dapr components match metadata names case-insensitively
 * (kit/metadata lower-cases them), so every lookup here does too.
 */
export class ComponentMetadata {
  private readonly values = new Map<string, string>();

  constructor(
    /** Where the component came from, for error messages: `<file> component <name>`. */
    readonly origin: string,
    entries: Record<string, string>,
  ) {
    for (const [k, v] of Object.entries(entries)) this.values.set(k.toLowerCase(), v);
  }

  get(name: string): string | undefined {
    return this.values.get(name.toLowerCase());
  }

  /** A required field; the error names file, component and field so a typo is found at once. */
  required(name: string): string {
    const v = this.get(name);
    if (v === undefined || v === '')
      throw new Error(`${this.origin}: missing required metadata field "${name}"`);
    return v;
  }

  string(name: string, fallback: string): string {
    return this.get(name) ?? fallback;
  }

  int(name: string, fallback: number): number {
    const raw = this.get(name);
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n))
      throw new Error(`${this.origin}: metadata field "${name}" must be an integer, got "${raw}"`);
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.get(name);
    if (raw === undefined || raw === '') return fallback;
    const b = parseGoBool(raw);
    if (b === undefined)
      throw new Error(`${this.origin}: metadata field "${name}" must be a boolean, got "${raw}"`);
    return b;
  }

  /** A Go duration ("1h", "1m30s", "500ms"); a bare number counts as seconds. Result in ms. */
  durationMs(name: string, fallbackMs: number): number {
    const raw = this.get(name);
    if (raw === undefined || raw === '') return fallbackMs;
    const ms = parseDurationMs(raw);
    if (ms === undefined)
      throw new Error(`${this.origin}: metadata field "${name}" must be a duration, got "${raw}"`);
    return ms;
  }
}

/** Go's strconv.ParseBool, which Dapr uses for flags such as `rawPayload`. */
export function parseGoBool(raw: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  return undefined;
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export function parseDurationMs(raw: string): number | undefined {
  const text = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '');
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    consumed = re.lastIndex;
  }
  return consumed === body.length && body.length > 0 ? sign * total : undefined;
}
