// The web console's build: web/ → dist/web, served by the API at / and /app/* (src/console).
// `npm run web:dev` serves it from source with every API route proxied to a running API.
import { defineConfig } from 'vite';

const api = process.env.CAIRN_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  // React 17+ JSX: no React import needed in components.
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: true,
    // Nothing inlined as data: URLs, so the Content-Security-Policy needs no data: sources.
    assetsInlineLimit: 0,
    rollupOptions: {
      onwarn(warning, warn) {
        // React Router marks its modules "use client" for server components; meaningless here.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      // Everything but the console's own pages and Vite's dev files is the API's.
      '^/(?!$|app(/|$)|@|src/|node_modules/|favicon\\.svg$)': { target: api, changeOrigin: false },
    },
  },
});
