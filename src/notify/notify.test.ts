import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { postWebhook, sendMail, signature, withRetry, SIGNATURE_HEADER } from './index.ts';

test('signature is HMAC-SHA256 of the body (RFC 4231 test case 2)', () => {
  assert.equal(signature('Jefe', 'what do ya want for nothing?'), 'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
});

test('retry: stops at the first success, gives up after the last attempt with the last error', async () => {
  let calls = 0;
  const ok = await withRetry(async () => {
    if (++calls < 3) throw new Error(`fail ${calls}`);
  }, { attempts: 4, baseDelayMs: 1 });
  assert.deepEqual(ok, { ok: true, attempts: 3, error: null });
  calls = 0;
  const bad = await withRetry(async () => {
    throw new Error(`fail ${++calls}`);
  }, { attempts: 2, baseDelayMs: 1 });
  assert.deepEqual(bad, { ok: false, attempts: 2, error: 'fail 2' });
});

test('webhook: JSON body signed over the exact bytes; a non-2xx answer is a failure', async () => {
  const seen: { header: string | undefined; raw: string }[] = [];
  let status = 200;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ header: req.headers[SIGNATURE_HEADER] as string | undefined, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    await postWebhook({ url, secret: 's3cret' }, { type: 'warning-issued', title: '关于预警' });
    assert.equal(seen[0].header, signature('s3cret', seen[0].raw));
    assert.deepEqual(JSON.parse(seen[0].raw), { type: 'warning-issued', title: '关于预警' });
    await postWebhook({ url, secret: null }, {});
    assert.equal(seen[1].header, undefined);
    status = 500;
    await assert.rejects(postWebhook({ url, secret: 's3cret' }, {}), /HTTP 500/);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('e-mail reaches a real SMTP server with a Chinese subject', async () => {
  const got: { from: string; to: string[]; raw: string }[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        got.push({ from: (session.envelope.mailFrom as { address: string }).address, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        done();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const port = ((smtp as unknown as { server: { address(): AddressInfo } }).server.address()).port;
  try {
    await sendMail({ host: '127.0.0.1', port, secure: false, from: 'otscope@example.gov.cn' }, { to: ['a@example.cn'], subject: '【风险预警】测试', text: '正文' });
    assert.equal(got.length, 1);
    assert.deepEqual([got[0].from, got[0].to], ['otscope@example.gov.cn', ['a@example.cn']]);
    const subject = /^Subject: =\?UTF-8\?B\?([^?]+)\?=/im.exec(got[0].raw);
    assert.ok(subject, got[0].raw.slice(0, 500));
    assert.equal(Buffer.from(subject[1], 'base64').toString('utf8'), '【风险预警】测试');
  } finally {
    await new Promise<void>((r) => smtp.close(() => r()));
  }
  // Nobody listening: a failure, not a hang.
  await assert.rejects(sendMail({ host: '127.0.0.1', port, secure: false, from: 'otscope@example.gov.cn' }, { to: ['a@example.cn'], subject: 's', text: 't' }));
});
