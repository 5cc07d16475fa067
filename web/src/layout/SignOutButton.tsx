import { setSession, getSession } from '../auth/session';
import { supabaseClient } from '../auth/supabase';
import { setCurrentWorkspaceId } from '../workspace/current';

export function SignOutButton() {
  return (
    <button
      type="button"
      onClick={() => {
        const session = getSession();
        setCurrentWorkspaceId(null);
        if (session?.provider === 'supabase') {
          void supabaseClient().then((client) => client?.auth.signOut());
        }
        setSession(null);
      }}
    >
      Sign out
    </button>
  );
}
