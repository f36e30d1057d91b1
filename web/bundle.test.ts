import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundleDashboard } from './bundle.ts';

test('the dashboard bundles in memory, quickly, into the paths the page asks for', async () => {
  const started = performance.now();
  const assets = await bundleDashboard();
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 5000, `bundling took ${Math.round(elapsed)} ms`);

  assert.deepEqual([...assets.keys()].sort(), ['/', '/app.css', '/app.js', '/favicon.svg', '/index.html']);
  const page = assets.get('/')!;
  assert.equal(assets.get('/index.html'), page);
  assert.match(page.contentType, /^text\/html/);
  const html = String(page.body);
  for (const path of ['/app.js', '/app.css', '/favicon.svg']) assert.ok(html.includes(`"${path}"`), `the page links ${path}`);
  assert.match(html, /<div id="app"><\/div>/);

  const js = assets.get('/app.js')!;
  assert.match(js.contentType, /^text\/javascript/);
  const code = new TextDecoder().decode(js.body as Uint8Array);
  // ECharts is bundled in, not fetched from a CDN: the console must work on an isolated network.
  assert.ok(code.includes('registerMap'), 'ECharts is in the bundle');
  assert.ok(code.includes('/api/v1'), 'the API client is in the bundle');
  assert.ok(!/\bimport\s*\(?\s*["']https?:/.test(code), 'no module is loaded from the network');
  assert.match(assets.get('/app.css')!.contentType, /^text\/css/);
});
