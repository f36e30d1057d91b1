// Webhook: a JSON POST whose body is signed with HMAC-SHA256 over the exact bytes sent, in the
// header `X-Otscope-Signature: sha256=<hex>` (the GitHub webhook convention), so a receiver can
// check the sender and that nothing was changed on the way.
import { createHmac } from 'node:crypto';

export interface WebhookSettings {
  url: string;
  secret: string | null;
}

export const SIGNATURE_HEADER = 'x-otscope-signature';

export function signature(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const TIMEOUT_MS = 10_000;

export async function postWebhook(settings: WebhookSettings, payload: unknown): Promise<void> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'otscope' };
  if (settings.secret) headers[SIGNATURE_HEADER] = signature(settings.secret, body);
  const res = await fetch(settings.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status >= 300) throw new Error(`webhook answered HTTP ${res.status}`);
}
