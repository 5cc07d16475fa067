/**
 * The response headers of the console's pages and files. The Content-Security-Policy allows
 * scripts and styles from this origin only (no inline script, no eval), API calls to this origin
 * and, when configured, to Supabase Auth; the page cannot be framed.
 */
export interface ConsoleHeaderOptions {
  /** Supabase Auth's URL (CAIRN_SUPABASE_URL), which the browser calls to sign in; '' for none. */
  supabaseUrl: string;
}

export function contentSecurityPolicy({ supabaseUrl }: ConsoleHeaderOptions): string {
  const supabaseOrigin = supabaseUrl ? new URL(supabaseUrl).origin : '';
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    // Styles come from the built CSS file; React sets element styles through the CSSOM, which
    // CSP does not govern, so no 'unsafe-inline' is needed here either.
    'style-src': ["'self'"],
    // cytoscape.js draws on canvas; exported images would be blob: URLs.
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...(supabaseOrigin ? [supabaseOrigin] : [])],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

export function consoleSecurityHeaders(options: ConsoleHeaderOptions): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // Sign-in links carry the token in the fragment, which is never sent; still, no referrer.
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}
