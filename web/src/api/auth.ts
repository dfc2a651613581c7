/**
 * The signed-in session. The access token lives in memory only; the refresh token is kept in
 * sessionStorage (this tab, until it closes) so a reload can resume the session by trading it
 * for a new one. Every authenticated request goes through `fetch` below, which refreshes the
 * session shortly before the access token expires, and once more if the API answers 401.
 */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token is valid for. */
  expiresIn: number;
  user: { id: string; username: string };
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface AuthOptions {
  /** e.g. `/api/v1` */
  baseUrl: string;
  fetch?: typeof fetch;
  storage?: KeyValueStore;
  now?: () => number;
  /** Refresh this long before the access token expires. */
  refreshMarginMs?: number;
}

export type SessionUser = SessionTokens['user'];
const STORAGE_KEY = 'flock.session';

export class Auth {
  private accessToken: string | null = null;
  private expiresAt = 0;
  private refreshing: Promise<boolean> | null = null;
  private listeners = new Set<(user: SessionUser | null) => void>();
  private readonly baseFetch: typeof fetch;
  private readonly storage: KeyValueStore | undefined;
  private readonly now: () => number;
  private readonly margin: number;
  user: SessionUser | null = null;

  constructor(private readonly options: AuthOptions) {
    this.baseFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.storage = options.storage;
    this.now = options.now ?? Date.now;
    this.margin = options.refreshMarginMs ?? 60_000;
  }

  /** Called with the user on sign-in and with null on sign-out (or a session that ran out). */
  subscribe(listener: (user: SessionUser | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  /** Adopts a session from `POST /auth/login` or `/auth/refresh`. */
  signIn(tokens: SessionTokens): void {
    const changed = this.user?.id !== tokens.user.id;
    this.accessToken = tokens.accessToken;
    this.expiresAt = this.now() + tokens.expiresIn * 1000;
    this.user = tokens.user;
    this.storage?.setItem(
      STORAGE_KEY,
      JSON.stringify({ refreshToken: tokens.refreshToken, user: tokens.user }),
    );
    if (changed) this.emit();
  }

  /** Forgets the session locally (the caller revokes it on the server first if it can). */
  signOut(): void {
    const had = this.user !== null;
    this.accessToken = null;
    this.expiresAt = 0;
    this.user = null;
    this.storage?.removeItem(STORAGE_KEY);
    if (had) this.emit();
  }

  get refreshToken(): string | null {
    return this.stored()?.refreshToken ?? null;
  }

  /** After a reload: trade the stored refresh token for a session. */
  async restore(): Promise<boolean> {
    if (this.signedIn) return true;
    if (!this.refreshToken) return false;
    return this.refresh();
  }

  /** One refresh at a time: concurrent callers share it. Resolves whether a session exists. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** A `fetch` for authenticated calls (give it to the API client). */
  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    if (this.accessToken && this.now() >= this.expiresAt - this.margin) await this.refresh();
    const token = this.accessToken;
    const retry = token ? request.clone() : null;
    const response = await this.baseFetch(this.authorize(request, token));
    if (response.status !== 401 || !retry) return response;
    // The token was refused (expired early, revoked): refresh once and try again.
    if (this.accessToken === token && !(await this.refresh())) return response;
    if (!this.accessToken) return response;
    return this.baseFetch(this.authorize(retry, this.accessToken));
  };

  private authorize(request: Request, token: string | null): Request {
    if (!token) return request;
    const headers = new Headers(request.headers);
    headers.set('authorization', `Bearer ${token}`);
    return new Request(request, { headers });
  }

  private async doRefresh(): Promise<boolean> {
    const refreshToken = this.refreshToken;
    if (!refreshToken) {
      this.signOut();
      return false;
    }
    let response: Response;
    try {
      response = await this.baseFetch(`${this.options.baseUrl}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken }),
      });
    } catch {
      return this.signedIn; // offline: keep what we have, the next call tries again
    }
    if (response.ok) {
      this.signIn((await response.json()) as SessionTokens);
      return true;
    }
    if (response.status === 400 || response.status === 401 || response.status === 404) {
      this.signOut(); // spent, revoked or unknown: the session is over
      return false;
    }
    return this.signedIn;
  }

  private stored(): { refreshToken: string; user: SessionUser } | null {
    const raw = this.storage?.getItem(STORAGE_KEY);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as { refreshToken: string; user: SessionUser };
    } catch {
      return null;
    }
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.user);
  }
}
