// Supabase Auth, loaded only when the API says it is configured (GET /console/config).
import type { SupabaseClient } from '@supabase/supabase-js';
import { consoleConfig } from '../api/endpoints';
import type { ConsoleConfig } from '../api/types';
import { sessionFromToken, setSession } from './session';

let configPromise: Promise<ConsoleConfig | null> | null = null;
let clientPromise: Promise<SupabaseClient | null> | null = null;

/** The console's settings from the API, or null when they cannot be read. */
export function loadConsoleConfig(): Promise<ConsoleConfig | null> {
  configPromise ??= consoleConfig().catch(() => null);
  return configPromise;
}

/** The Supabase client, or null on a stack without Supabase Auth. */
export function supabaseClient(): Promise<SupabaseClient | null> {
  clientPromise ??= loadConsoleConfig().then(async (config) => {
    if (!config?.supabaseUrl || !config.supabaseAnonKey) return null;
    const { createClient } = await import('@supabase/supabase-js');
    const client = createClient(config.supabaseUrl, config.supabaseAnonKey, {
      // The tab's sessionStorage, never localStorage; the sign-in link is read by the console.
      auth: {
        storage: window.sessionStorage,
        persistSession: true,
        autoRefreshToken: true,
        detectSessionInUrl: false,
      },
    });
    client.auth.onAuthStateChange((event, session) => {
      if (event === 'SIGNED_OUT' || !session) {
        if (event === 'SIGNED_OUT') setSession(null);
        return;
      }
      setSession({ ...sessionFromToken(session.access_token), provider: 'supabase' });
    });
    return client;
  });
  return clientPromise;
}
