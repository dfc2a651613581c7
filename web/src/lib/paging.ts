/**
 * Cursor pagination as every Flock list does it: `{items, nextCursor?}`, the next page asked
 * for with `?cursor=<nextCursor>`. Items are de-duplicated by key, so an item that moved
 * between pages (new posts arriving at the head) is shown once.
 */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export type PageLoader<T> = (cursor: string | undefined) => Promise<Page<T>>;

export class Pager<T> {
  items: T[] = [];
  done = false;
  loading = false;
  error: unknown = null;
  private cursor: string | undefined;
  private seen = new Set<string>();
  private generation = 0;

  constructor(
    private readonly load: PageLoader<T>,
    private readonly key: (item: T) => string,
    private readonly onChange: () => void = () => {},
  ) {}

  /** Loads the next page (no-op while one is loading or after the last one). */
  async next(): Promise<void> {
    if (this.loading || this.done) return;
    const generation = this.generation;
    this.loading = true;
    this.error = null;
    this.onChange();
    try {
      const page = await this.load(this.cursor);
      if (generation !== this.generation) return; // reset meanwhile
      this.append(page.items);
      this.cursor = page.nextCursor;
      this.done = page.nextCursor === undefined || page.items.length === 0;
    } catch (error) {
      if (generation === this.generation) this.error = error;
    } finally {
      if (generation === this.generation) {
        this.loading = false;
        this.onChange();
      }
    }
  }

  /** Starts over from the first page. */
  reset(): void {
    this.generation++;
    this.items = [];
    this.cursor = undefined;
    this.done = false;
    this.loading = false;
    this.error = null;
    this.seen.clear();
    this.onChange();
  }

  has(key: string): boolean {
    return this.seen.has(key);
  }

  /** Puts newer items at the head (e.g. new posts shown after an announcement). */
  prepend(items: readonly T[]): void {
    const fresh = items.filter((item) => !this.seen.has(this.key(item)));
    for (const item of fresh) this.seen.add(this.key(item));
    this.items = [...fresh, ...this.items];
    this.onChange();
  }

  /**
   * Puts items that are missing in their place in the order (`before(a, b)`: a comes first),
   * e.g. older posts a follow copied into a timeline. Those past the last loaded item are left to
   * the pages still to come.
   */
  fillIn(items: readonly T[], before: (a: T, b: T) => boolean): void {
    const last = this.items.at(-1);
    let changed = false;
    for (const item of items) {
      const key = this.key(item);
      if (this.seen.has(key) || (!this.done && last !== undefined && before(last, item))) continue;
      const at = this.items.findIndex((shown) => before(item, shown));
      this.seen.add(key);
      this.items = at < 0 ? [...this.items, item] : this.items.toSpliced(at, 0, item);
      changed = true;
    }
    if (changed) this.onChange();
  }

  remove(key: string): void {
    if (!this.seen.delete(key)) return;
    this.items = this.items.filter((item) => this.key(item) !== key);
    this.onChange();
  }

  replace(item: T): void {
    const key = this.key(item);
    this.items = this.items.map((existing) => (this.key(existing) === key ? item : existing));
    this.onChange();
  }

  /** Puts items at the end (those already shown are skipped). */
  append(items: readonly T[]): void {
    for (const item of items) {
      const key = this.key(item);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.items.push(item);
    }
    this.items = [...this.items];
    this.onChange();
  }
}

/** The items of a fresh head page that are newer than anything shown (they come first). */
export function newerThanShown<T>(head: readonly T[], isShown: (item: T) => boolean): T[] {
  const fresh: T[] = [];
  for (const item of head) {
    if (isShown(item)) break;
    fresh.push(item);
  }
  return fresh;
}
