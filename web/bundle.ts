// Builds the dashboard in memory once at server start; the server serves the returned map as static assets.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export interface DashboardAsset {
  contentType: string;
  body: Uint8Array | string;
}

const SOURCE = fileURLToPath(new URL('./src/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// The logo mark as the favicon, so browsers do not ask for a missing /favicon.ico.
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">' +
  '<stop offset="0" stop-color="#2bd4ff"/><stop offset="1" stop-color="#1e88e5"/></linearGradient></defs>' +
  '<polygon points="5,1 15,1 20,10 15,19 5,19 0,10" fill="url(#g)"/></svg>';

function html(): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>otscope</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/app.css">
<script type="module" src="/app.js"></script>
</head>
<body><div id="app"></div></body>
</html>
`;
}

/** Every dashboard asset keyed by URL path: `/` and `/index.html` (the page), `/app.js`, `/app.css`, `/favicon.svg`. */
export async function bundleDashboard(): Promise<Map<string, DashboardAsset>> {
  const result = await build({
    entryPoints: [
      { in: `${SOURCE}main.ts`, out: 'app' },
      { in: `${SOURCE}app.css`, out: 'app' },
    ],
    outdir: '/',
    write: false,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'silent',
  });

  const assets = new Map<string, DashboardAsset>();
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/'));
    const ext = name.slice(name.lastIndexOf('.'));
    assets.set(name, { contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream', body: file.contents });
  }
  const page = { contentType: 'text/html; charset=utf-8', body: html() };
  assets.set('/', page);
  assets.set('/index.html', page);
  assets.set('/favicon.svg', { contentType: CONTENT_TYPES['.svg'], body: FAVICON });
  return assets;
}
