// Outbound notifications: e-mail (SMTP) and signed webhooks, each with retries. Knows no storage:
// the services record what was sent.
export { sendMail, type Mail, type SmtpSettings } from './email.ts';
export { postWebhook, signature, SIGNATURE_HEADER, type WebhookSettings } from './webhook.ts';
export { withRetry, DEFAULT_RETRY, type RetryPolicy, type Outcome } from './retry.ts';
