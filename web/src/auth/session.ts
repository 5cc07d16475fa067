// The signed-in credential: kept in memory and in sessionStorage (this tab only), never in
// localStorage, so that closing the tab signs out and other tabs never see it.

export interface Session {
  kind: 'token' | 'apiKey';
  /** A bearer access token (JWT) or an API key (ck_…). */
  credential: string;
  /** Epoch milliseconds; tokens only. */
  expiresAt?: number;
  userId?: string;
  email?: string;
  /** Set when the session came from Supabase Auth, which refreshes it. */
  provider?: 'supabase';
}

const STORAGE_KEY = 'cairn.session';
let current: Session | null = null;
let loaded = false;
const listeners = new Set<(session: Session | null) => void>();

interface TokenClaims {
  sub?: string;
  email?: string;
  exp?: number;
}

/** Reads a JWT's claims without verifying it: only for display and expiry, the API verifies. */
export function claimsOf(token: string): TokenClaims {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

export function sessionFromToken(token: string, expiresInSeconds?: number): Session {
  const claims = claimsOf(token);
  const expiresAt =
    expiresInSeconds !== undefined && Number.isFinite(expiresInSeconds)
      ? Date.now() + expiresInSeconds * 1000
      : claims.exp
        ? claims.exp * 1000
        : undefined;
  return { kind: 'token', credential: token, expiresAt, userId: claims.sub, email: claims.email };
}

export function sessionFromApiKey(key: string): Session {
  return { kind: 'apiKey', credential: key.trim() };
}

/**
 * The sign-in link carries `#access_token=…&token_type=bearer&expires_in=…` (Supabase's redirect
 * format). Takes it, stores it and removes it from the address bar and history.
 */
export function takeSessionFromFragment(): Session | null {
  const hash = window.location.hash.replace(/^#/, '');
  if (!hash.includes('access_token=')) return null;
  const params = new URLSearchParams(hash);
  const token = params.get('access_token');
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  if (!token || (params.get('token_type') ?? 'bearer').toLowerCase() !== 'bearer') return null;
  const expiresIn = Number(params.get('expires_in') ?? NaN);
  const session = sessionFromToken(token, Number.isNaN(expiresIn) ? undefined : expiresIn);
  setSession(session);
  return session;
}

export function getSession(): Session | null {
  if (!loaded) {
    loaded = true;
    try {
      const stored = sessionStorage.getItem(STORAGE_KEY);
      current = stored ? (JSON.parse(stored) as Session) : null;
    } catch {
      current = null;
    }
  }
  if (current?.expiresAt !== undefined && current.expiresAt <= Date.now()) {
    // An expired token is worth nothing; Supabase sessions are refreshed before this.
    if (current.provider !== 'supabase') setSession(null);
  }
  return current;
}

export function setSession(session: Session | null): void {
  current = session;
  loaded = true;
  if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener(session);
}

export function onSessionChange(listener: (session: Session | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
