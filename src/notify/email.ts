// E-mail through an SMTP relay (RFC 5321) with nodemailer. Chinese subjects and bodies are sent as
// UTF-8; nodemailer encodes the subject as RFC 2047 encoded-words.
import nodemailer from 'nodemailer';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (implicit TLS, RFC 8314); otherwise STARTTLS when the relay offers it. */
  secure: boolean;
  from: string;
}

export interface Mail {
  to: string[];
  subject: string;
  text: string;
}

// Bounds so that a dead relay costs seconds, not the minutes of nodemailer's defaults.
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export async function sendMail(settings: SmtpSettings, mail: Mail): Promise<void> {
  const transport = nodemailer.createTransport({ host: settings.host, port: settings.port, secure: settings.secure, ...TIMEOUTS });
  try {
    await transport.sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text });
  } finally {
    transport.close();
  }
}
