import { type FormEvent, useState } from 'react';
import type { SupabaseClient } from '@supabase/supabase-js';
import { ApiError } from '../api/errors';
import { ErrorNotice } from '../components/ErrorNotice';

/** E-mail and password against Supabase Auth: sign in, or sign up for a new account. */
export function PasswordSignIn({ client }: { client: SupabaseClient }) {
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNotice('');
    const answer =
      mode === 'sign-in'
        ? await client.auth.signInWithPassword({ email, password })
        : await client.auth.signUp({ email, password });
    setBusy(false);
    if (answer.error) {
      setError(new ApiError(answer.error.status ?? 0, answer.error.message, undefined));
    } else if (mode === 'sign-up' && !answer.data.session) {
      setNotice('Check your e-mail to confirm the account, then sign in.');
    }
  };

  return (
    <section aria-labelledby="password-heading">
      <h2 id="password-heading">
        {mode === 'sign-in' ? 'E-mail and password' : 'Create an account'}
      </h2>
      <form className="form" onSubmit={(event) => void submit(event)}>
        <label htmlFor="email">E-mail</label>
        <input
          id="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          type="password"
          required
          minLength={6}
          autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {mode === 'sign-in' ? 'Sign in' : 'Sign up'}
          </button>
          <button
            type="button"
            className="link"
            onClick={() => setMode(mode === 'sign-in' ? 'sign-up' : 'sign-in')}
          >
            {mode === 'sign-in' ? 'New here? Create an account' : 'Have an account? Sign in'}
          </button>
        </div>
      </form>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <ErrorNotice error={error} title="Not signed in" />
    </section>
  );
}
