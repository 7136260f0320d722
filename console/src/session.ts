/**
 * Who the console acts for: a partner id and its bearer token. The sign-in link carries both in
 * the URL fragment (never sent to a server, never in access logs); the console moves them to
 * sessionStorage (this tab only, gone when it closes) and removes them from the address bar.
 */
export interface Session {
  partnerId: string;
  token: string;
}

const KEY = 'cw-console-session';

/** Reads a sign-in fragment (`#partner=…&token=…`) into sessionStorage, then the stored session. */
export function loadSession(): Session | undefined {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const partnerId = fragment.get('partner');
  const token = fragment.get('token');
  if (partnerId && token) {
    saveSession({ partnerId, token });
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  const stored = window.sessionStorage.getItem(KEY);
  if (!stored) return undefined;
  try {
    const parsed = JSON.parse(stored) as Partial<Session>;
    return parsed.partnerId && parsed.token
      ? { partnerId: parsed.partnerId, token: parsed.token }
      : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session): void {
  window.sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  window.sessionStorage.removeItem(KEY);
}
