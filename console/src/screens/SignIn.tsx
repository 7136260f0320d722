import { useState, type FormEvent } from 'react';
import { Button, Screen, TextField } from '../components/ui';
import { saveSession, type Session } from '../session';

/**
 * Without a sign-in link: the partner id and an API token issued for it
 * (`npm run token -- create --partner <id>`). Kept in this tab's sessionStorage only.
 */
export function SignIn({ onSignIn }: { onSignIn: (s: Session) => void }) {
  const [partnerId, setPartnerId] = useState('');
  const [token, setToken] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const session = { partnerId: partnerId.trim(), token: token.trim() };
    if (!session.partnerId || !session.token) return;
    saveSession(session);
    onSignIn(session);
  };
  return (
    <main id="main" className="sign-in">
      <Screen
        title="Sign in"
        intro="Open the sign-in link that `npm start` prints, or enter your partner id and an API token issued for it."
      >
        <form onSubmit={submit} className="form">
          <TextField
            label="Partner ID"
            value={partnerId}
            onValue={setPartnerId}
            required
            autoComplete="username"
          />
          <TextField
            label="API token"
            type="password"
            value={token}
            onValue={setToken}
            required
            autoComplete="current-password"
          />
          <Button type="submit" kind="primary">
            Sign in
          </Button>
        </form>
      </Screen>
    </main>
  );
}
