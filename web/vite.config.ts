// The web console's build: web/ → dist/web, served by the API at / and /app/*.
import { defineConfig } from 'vite';

const api = process.env.CAIRN_API_URL ?? 'http://127.0.0.1:3000';
// In development (npm exec vite -- web), every API route goes to the running API.
const apiRoutes = [
  '/documents',
  '/imports',
  '/search',
  '/entities',
  '/graph',
  '/domains',
  '/workspaces',
  '/audit',
  '/health',
  '/console',
  '/metrics',
];

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: Object.fromEntries(
      apiRoutes.map((route) => [route, { target: api, changeOrigin: false }]),
    ),
  },
});
