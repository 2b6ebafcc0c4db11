// Builds the renderer to dist/renderer with relative asset paths, so the same build loads from Electron's custom
// protocol and from `layerbench serve`. No inline scripts: the page must run under a strict Content-Security-Policy.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The policy the built page declares for itself; the shell may send a stricter header as well. Dev mode is left
// without it because Vite's dev client injects inline styles.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'layerbench-csp',
    apply: 'build',
    transformIndexHtml: (html) =>
      html.replace(
        '<meta charset="UTF-8" />',
        `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`,
      ),
  };
}

/**
 * `npm run dev` against a running `layerbench serve`: set LAYERBENCH_SERVE_URL=http://127.0.0.1:PORT and open
 * the dev page with the server's token (`http://127.0.0.1:5173/?token=...`). The WebSocket is proxied with the
 * server's own Origin, which its same-origin check requires.
 */
function devProxy() {
  const target = process.env.LAYERBENCH_SERVE_URL;
  if (!target) return undefined;
  const origin = new URL(target).origin;
  return {
    '/ws': {
      target,
      ws: true,
      changeOrigin: true,
      configure: (proxy: { on: (event: 'proxyReqWs', cb: (req: { setHeader: (k: string, v: string) => void }) => void) => void }) =>
        proxy.on('proxyReqWs', (req) => req.setHeader('origin', origin)),
    },
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [svelte(), contentSecurityPolicy()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // The preload polyfill would be injected as a module script; every browser the app targets has modulepreload.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1000,
    target: 'es2022',
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: false, proxy: devProxy() },
});
