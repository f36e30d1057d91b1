// A scanner thread (worker_threads): runs the scan loop over one share of a plan's addresses and
// hands its observations and finished positions to the calling thread at every flush, which
// writes them out and commits the checkpoint (src/scanner/workers.ts).
import { parentPort } from 'node:worker_threads';
import type { Observation } from '../model/index.ts';
import { AddressSet } from './address-set.ts';
import { Checkpoint } from './checkpoint.ts';
import { Plan } from './plan.ts';
import { scan } from './scanner.ts';
import { noTwinMapping, twinMapping } from './twin-address.ts';
import type { FromWorker, ToWorker } from './workers.ts';

const port = parentPort!;
let controller: AbortController | null = null;

function post(m: FromWorker): void {
  port.postMessage(m);
}

port.on('message', (m: ToWorker) => {
  if (m.kind === 'stop') {
    controller?.abort();
    return;
  }
  const job = m;
  controller = new AbortController();
  const plan = new Plan(job.ranges.map((r) => ({ target: '', ...r })), job.services, job.key);
  let observations: Observation[] = [];
  void scan({
    plan,
    share: job.share,
    rate: job.rate,
    concurrency: job.concurrency,
    perDevice: job.perDevice,
    timeoutMs: job.timeoutMs,
    retries: job.retries,
    intrusive: job.intrusive,
    blocklist: job.blocklist ? new AddressSet(job.blocklist) : null,
    checkpoint: Checkpoint.skipping(job.done),
    source: job.source,
    publicAddress: job.twinMap ? twinMapping : noTwinMapping,
    signal: controller.signal,
    onObservation: (o) => void observations.push(o),
    onFlush(positions) {
      if (!positions.length && !observations.length) return;
      post({ kind: 'batch', observations, positions: [...positions] });
      observations = [];
    },
  }).then((stats) => {
    controller = null;
    post({ kind: 'end', stats });
  });
});

post({ kind: 'ready' });
