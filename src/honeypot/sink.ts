// Where events go: a local JSON-lines log and the platform's ingest API, batched. The queue to
// the platform is bounded; when the platform is away the oldest events are dropped and counted
// (the local log still has them).
import { createWriteStream, type WriteStream } from 'node:fs';
import type { HoneypotEvent } from './event.ts';

export const SUBMIT_BATCH = 500;
export const SUBMIT_QUEUE = 20_000;
/** Log lines waiting for a slow disk; past this, lines are dropped and counted, not queued in memory. */
export const LOG_BACKLOG_BYTES = 16 * 1024 * 1024;

export interface EventSink {
  write(event: HoneypotEvent): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): { logged: number; submitted: number; dropped: number; failures: number };
}

export interface SinkOptions {
  log?: string;
  submit?: { url: string; token: string; intervalMs?: number };
}

export function eventSink(options: SinkOptions): EventSink {
  let log: WriteStream | undefined;
  if (options.log) log = createWriteStream(options.log, { flags: 'a' });
  const counts = { logged: 0, submitted: 0, dropped: 0, failures: 0 };
  let queue: HoneypotEvent[] = [];
  let sending: Promise<void> | undefined;
  const submit = options.submit;
  const endpoint = submit ? new URL('/api/v1/honeypot/events', submit.url).toString() : '';

  const send = async (): Promise<void> => {
    while (submit && queue.length > 0) {
      const batch = queue.slice(0, SUBMIT_BATCH);
      try {
        const res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${submit.token}` },
          body: JSON.stringify({ events: batch }),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        await res.arrayBuffer();
        queue = queue.slice(batch.length);
        counts.submitted += batch.length;
      } catch {
        counts.failures++;
        return;
      }
    }
  };
  const kick = () => {
    sending ??= send().finally(() => (sending = undefined));
    return sending;
  };
  const timer = submit ? setInterval(() => void kick(), submit.intervalMs ?? 1000) : undefined;
  timer?.unref();

  return {
    write(event) {
      if (log) {
        if (log.writableLength > LOG_BACKLOG_BYTES) counts.dropped++;
        else {
          log.write(`${JSON.stringify(event)}\n`);
          counts.logged++;
        }
      }
      if (submit) {
        queue.push(event);
        if (queue.length > SUBMIT_QUEUE) {
          counts.dropped += queue.length - SUBMIT_QUEUE;
          queue = queue.slice(queue.length - SUBMIT_QUEUE);
        }
        if (queue.length >= SUBMIT_BATCH) void kick();
      }
    },
    async flush() {
      if (sending) await sending;
      await kick();
    },
    async close() {
      if (timer) clearInterval(timer);
      await this.flush();
      if (log) await new Promise<void>((resolve) => log!.end(() => resolve()));
    },
    stats: () => ({ ...counts }),
  };
}
