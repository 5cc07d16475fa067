import { type FormEvent, useEffect, useState } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { SupabaseClient } from '@supabase/supabase-js';
import { ApiError } from '../api/errors';
import { sessionFromApiKey, setSession } from '../auth/session';
import { supabaseClient } from '../auth/supabase';
import { useSession } from '../auth/useSession';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { PasswordSignIn } from './PasswordSignIn';

const API_KEY = /^ck_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/;

export function SignInPage() {
  const session = useSession();
  const location = useLocation();
  const [supabase, setSupabase] = useState<SupabaseClient | null | undefined>(undefined);
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    void supabaseClient().then(setSupabase, () => setSupabase(null));
  }, []);

  if (session) {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from && from !== '/app/sign-in' ? from : '/app/documents'} replace />;
  }

  const useKey = (event: FormEvent) => {
    event.preventDefault();
    const key = apiKey.trim();
    if (!API_KEY.test(key)) {
      setError(
        new ApiError(
          0,
          'That is not an API key: they look like ck_<32 hex digits>_<secret>.',
          undefined,
        ),
      );
      return;
    }
    setSession(sessionFromApiKey(key));
  };

  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card">
        <h1>Sign in to Cairn</h1>
        {supabase === undefined ? (
          <Loading label="Checking how this Cairn signs in…" />
        ) : supabase ? (
          <PasswordSignIn client={supabase} />
        ) : (
          <section aria-labelledby="local-heading">
            <h2 id="local-heading">Local sign-in link</h2>
            <p>
              On the local stack, <code>npm start</code> prints a sign-in link after “Cairn is
              running”; <code>npm run token -- --link you@example.com</code> prints one for any
              e-mail. Open it in this browser to sign in.
            </p>
          </section>
        )}
        <section aria-labelledby="key-heading">
          <h2 id="key-heading">Or use an API key</h2>
          <form className="form" onSubmit={useKey}>
            <label htmlFor="api-key">API key</label>
            <input
              id="api-key"
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={apiKey}
              onChange={(event) => setApiKey(event.target.value)}
            />
            <p className="muted small">Kept for this tab only, never written to disk.</p>
            <div className="actions">
              <button type="submit" className="primary" disabled={apiKey.trim() === ''}>
                Use API key
              </button>
            </div>
          </form>
          <ErrorNotice error={error} title="Not signed in" />
        </section>
      </div>
    </main>
  );
}
