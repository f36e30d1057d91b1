// Identification against real software nobody here wrote: an OPC UA server from npm node-opcua,
// run in a child process on a free loopback port with a known BuildInfo and ApplicationDescription.
// otscope's scanner must report what that server states: vendor, product and software version
// from BuildInfo (read in an anonymous session), application URI and name from GetEndpoints.
// A missing peer skips with the reason, except in CI, where it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, installed, reachable, scanPeer, unavailable } from './support/peers.ts';

const ROOT = new URL('..', import.meta.url).pathname;

const BUILD = {
  productUri: 'urn:otscope-test:opcua-peer', manufacturerName: 'Lakeside Process Controls', productName: 'LPC Gateway Server',
  softwareVersion: '4.7.2', buildNumber: '20917',
};
const APPLICATION_URI = 'urn:otscope-test:lpc-gateway:line3';
const APPLICATION_NAME = 'LPC Gateway Line 3';

// node-opcua's OPCUAServer with its PKI in a temporary folder (not ~/.config), listening on loopback only.
const SERVER = `
import { OPCUAServer, OPCUACertificateManager } from 'node-opcua';
import { join } from 'node:path';
const [port, dir, build, applicationUri, applicationName] = process.argv.slice(1);
const b = JSON.parse(build);
const server = new OPCUAServer({
  port: Number(port), host: '127.0.0.1', hostname: '127.0.0.1',
  serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir, 'pki'), automaticallyAcceptUnknownCertificate: true }),
  userCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir, 'user-pki') }),
  buildInfo: { ...b, buildDate: new Date(Date.UTC(2025, 5, 30)) },
  serverInfo: { applicationUri, productUri: b.productUri, applicationName: { text: applicationName } },
});
await server.initialize();
await server.start();
console.log('listening', server.getEndpointUrl());
`;

test('identifies a node-opcua server from its endpoints and the BuildInfo an anonymous session reads', { timeout: 120_000 }, async (t) => {
  if (!installed('node-opcua')) return unavailable(t, 'npm node-opcua is not installed');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'otscope-node-opcua-'));
  const server = spawn(process.execPath, ['--input-type=module', '-e', SERVER, String(port), dir, JSON.stringify(BUILD), APPLICATION_URI, APPLICATION_NAME], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stdout.on('data', (d) => (output += d));
  server.stderr.on('data', (d) => (output += d));
  t.after(() => {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  // A fresh PKI means a new RSA key and certificate: node-opcua takes seconds to start.
  let up = false;
  for (let i = 0; i < 900 && !up && server.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 100));
    up = output.includes('listening') && (await reachable(port));
  }
  assert.ok(up, `node-opcua did not listen on 127.0.0.1:${port}: ${output.slice(-2000)}`);

  const [o, ...rest] = await scanPeer('127.0.0.1', `opcua:${port}`, 3000);
  assert.equal(rest.length, 0);
  assert.deepEqual({ ip: o.ip, port: o.port, transport: o.transport, protocol: o.protocol }, { ip: '127.0.0.1', port, transport: 'tcp', protocol: 'opcua' });
  const { raw, ...fields } = o.identity!;
  assert.deepEqual(fields, { vendor: BUILD.manufacturerName, product: BUILD.productName, firmware: BUILD.softwareVersion });
  assert.equal(raw?.applicationUri, APPLICATION_URI);
  assert.equal(raw?.applicationName, APPLICATION_NAME);
  assert.equal(raw?.productUri, BUILD.productUri);
  assert.equal(raw?.buildNumber, BUILD.buildNumber);
  // node-opcua offers None and the RSA policies; the scanner lists them as the server states them.
  assert.ok((raw?.securityPolicies as string[]).includes('http://opcfoundation.org/UA/SecurityPolicy#None'));
  assert.ok((raw?.securityPolicies as string[]).some((p) => p.endsWith('#Basic256Sha256')), String(raw?.securityPolicies));
  assert.deepEqual([...(raw?.securityModes as string[])].sort(), ['None', 'Sign', 'SignAndEncrypt']);
});
