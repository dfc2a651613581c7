/**
 * The signed-in session, shared by every tab of the site. The access token lives in memory only
 * (per tab). The refresh token lives in an httpOnly cookie that scripts never see, scoped to the
 * auth routes (docs/security.md), so a new tab or a reload resumes the session by asking
 * `/auth/refresh` for a new access token. Every request says so with SESSION_COOKIE_HEADER.
 * Tabs take turns refreshing (a Web Lock): each refresh spends the cookie's token, and two at
 * once would look like a stolen token being reused, which ends the session. Tabs tell each other
 * when the user signs in or out (a BroadcastChannel).
 */
export interface SessionTokens {
  accessToken: string;
  /** Never sent to this client: it asks for the cookie instead. */
  refreshToken?: string;
  /** Seconds the access token is valid for. */
  expiresIn: number;
  user: { id: string; username: string };
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The part of the Web Locks API used here (`navigator.locks`). */
export interface Locks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The part of a BroadcastChannel used here. */
export interface Channel {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export interface AuthOptions {
  /** e.g. `/api/flock/v1` */
  baseUrl: string;
  fetch?: typeof fetch;
  /** Remembers that this browser has a session (nothing secret), so a first visit asks nothing. */
  hint?: KeyValueStore;
  locks?: Locks;
  channel?: Channel;
  now?: () => number;
  /** Refresh this long before the access token expires. */
  refreshMarginMs?: number;
}

export type SessionUser = SessionTokens['user'];
export const SESSION_COOKIE_HEADER = 'x-flock-refresh-cookie';
const HINT_KEY = 'flock.session';
/** Answers of a gateway or sidecar that did not reach the users service, and their retries. */
const TRANSIENT = new Set([429, 502, 503, 504]);
const TRANSIENT_RETRY_MS = [300, 1_000, 2_000];
const REFRESH_LOCK = 'flock.refresh';

type Announcement = { type: 'signed-in'; userId: string } | { type: 'signed-out' };

export class Auth {
  private accessToken: string | null = null;
  private expiresAt = 0;
  private refreshing: Promise<boolean> | null = null;
  private listeners = new Set<(user: SessionUser | null) => void>();
  private readonly baseFetch: typeof fetch;
  private readonly now: () => number;
  private readonly margin: number;
  user: SessionUser | null = null;

  constructor(private readonly options: AuthOptions) {
    this.baseFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = options.now ?? Date.now;
    this.margin = options.refreshMarginMs ?? 60_000;
    options.channel?.addEventListener('message', (event) => this.heard(event.data as Announcement));
  }

  /** Called with the user on sign-in and with null on sign-out (or a session that ran out). */
  subscribe(listener: (user: SessionUser | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  /** Adopts a session from `POST /auth/login` (and tells the other tabs). */
  signIn(tokens: SessionTokens): void {
    this.adopt(tokens);
    this.options.channel?.postMessage({ type: 'signed-in', userId: tokens.user.id });
  }

  /** Forgets the session here and in the other tabs (the caller revokes it on the server first). */
  signOut(): void {
    this.forget();
    this.options.channel?.postMessage({ type: 'signed-out' });
  }

  /** A new tab or a reload: trade the session cookie for an access token, if there is one. */
  async restore(): Promise<boolean> {
    if (this.signedIn) return true;
    if (!this.options.hint?.getItem(HINT_KEY)) return false;
    return this.refresh();
  }

  /** One refresh at a time in this tab: concurrent callers share it. Resolves whether a session exists. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** A `fetch` for every API call (give it to the API client). */
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
    const headers = new Headers(request.headers);
    headers.set(SESSION_COOKIE_HEADER, '1');
    if (token) headers.set('authorization', `Bearer ${token}`);
    return new Request(request, { headers });
  }

  private adopt(tokens: SessionTokens): void {
    const changed = this.user?.id !== tokens.user.id;
    this.accessToken = tokens.accessToken;
    this.expiresAt = this.now() + tokens.expiresIn * 1000;
    this.user = tokens.user;
    this.options.hint?.setItem(HINT_KEY, '1');
    if (changed) this.emit();
  }

  private forget(): void {
    const had = this.user !== null;
    this.accessToken = null;
    this.expiresAt = 0;
    this.user = null;
    this.options.hint?.removeItem(HINT_KEY);
    if (had) this.emit();
  }

  /** Another tab signed in (as someone else: adopt that session) or out (so are we). */
  private heard(announcement: Announcement): void {
    if (announcement.type === 'signed-out') this.forget();
    else if (announcement.userId !== this.user?.id) void this.refresh();
  }

  private async doRefresh(): Promise<boolean> {
    const send = () =>
      this.baseFetch(`${this.options.baseUrl}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SESSION_COOKIE_HEADER]: '1' },
        body: '{}',
        credentials: 'same-origin',
      });
    const ask = () =>
      this.options.locks ? this.options.locks.request(REFRESH_LOCK, send) : send();
    let response: Response;
    try {
      response = await ask();
      // Busy or briefly unavailable before the users service spent the token: ask again, so a
      // reload during a blip does not look signed out. (Not after a lost answer, which may
      // have spent it: sending it again would end the session.)
      for (const wait of TRANSIENT_RETRY_MS) {
        if (!TRANSIENT.has(response.status)) break;
        await new Promise((resolve) => setTimeout(resolve, wait));
        response = await ask();
      }
    } catch {
      return this.signedIn; // offline: keep what we have, the next call tries again
    }
    if (response.ok) {
      this.adopt((await response.json()) as SessionTokens);
      return true;
    }
    if (response.status === 400 || response.status === 401 || response.status === 404) {
      this.signOut(); // spent, revoked or no cookie: the session is over, in every tab
      return false;
    }
    return this.signedIn;
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.user);
  }
}
