// Re-observations of stored devices: an observation after its asset's stored last-seen time goes
// in by plain INSERT, the rest by INSERT … ON CONFLICT DO NOTHING (src/services/observations.ts,
// writeObservations), and the narrow asset and service UPDATEs go with them in one statement on
// PostgreSQL. The plain INSERT is safe only because each batch reads last-seen under the writer
// lock; these batches are the ways it could meet a stored row: two platforms (two processes'
// pools on one PostgreSQL database) sending the same newer evidence at once, evidence at exactly
// the stored last-seen time, and newer and older evidence of one device in one batch.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Platform } from '../src/main.ts';
import { client } from './support/api.ts';
import { dialectTargets } from './support/stores.ts';
import { s7smart, useWriters } from './support/platform.ts';

const [T0, T1, T2, T3] = ['2026-10-01T09:00:00.000Z', '2026-11-01T09:00:00.000Z', '2026-11-03T09:00:00.000Z', '2026-11-05T09:00:00.000Z'];
const DEVICES = 60;
const device = (i: number, observedAt: string, firmware = 'V2.3.0') => s7smart(`36.134.81.${i}`, firmware, observedAt);

for (const target of dialectTargets()) {
  describe(`re-observations on ${target.name}`, async () => {
    const { skip, platforms, admin } = await useWriters(target);

    const db = () => platforms[0].ctx.store.db;
    const observations = async () => Number((await db().selectFrom('observations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const lastSeen = async () => new Set((await db().selectFrom('assets').select('lastSeen').where('ip', 'like', '36.134.81.%').execute()).map((a) => a.lastSeen));
    const post = (p: Platform, items: unknown[]) => client(p.url).post('/api/v1/observations', { observations: items }, admin());
    const writers = () => (platforms.length > 1 ? platforms : [platforms[0], platforms[0]]);

    test('two writers sending the same newer evidence at once: every batch accepted, each observation stored once', { skip }, async () => {
      assert.equal((await post(platforms[0], Array.from({ length: DEVICES }, (_, i) => device(i, T1)))).status, 200);
      const stored = await observations();
      // Each batch holds one device twice, so the plain INSERT's in-batch dedupe is exercised too.
      const batch = [...Array.from({ length: DEVICES }, (_, i) => device(i, T2)), device(7, T2)];
      const [a, b] = writers();
      const replies = await Promise.all([post(a, batch), post(b, batch), post(b, batch), post(a, batch)]);
      for (const r of replies) assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal((await observations()) - stored, DEVICES);
      assert.deepEqual(await lastSeen(), new Set([T2]));
    });

    test('newer, older and equal-to-last-seen evidence of one device in one batch, from two writers at once, then again', { skip }, async () => {
      const stored = await observations();
      // T3: newer than last-seen (T2); T0: late; T2 with another firmware: at last-seen, a new row.
      const batch = Array.from({ length: DEVICES }, (_, i) => [device(i, T3), device(i, T0), device(i, T2, 'V2.4.0')]).flat();
      const [a, b] = writers();
      for (let round = 0; round < 2; round++) {
        const replies = await Promise.all([post(a, batch), post(b, batch)]);
        for (const r of replies) assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal((await observations()) - stored, 3 * DEVICES, `round ${round}`);
        assert.deepEqual(await lastSeen(), new Set([T3]));
      }
    });

    // readStored gives the stored identities' digests and times; writeIdentities then reads in full
    // only those the batch changes. An identity at exactly the stored one's time with other fields
    // is such a change (an upsert of a stored row): left out of that read, it would go in by plain
    // INSERT and fail the batch.
    test('another identity at exactly the stored identity time: the batch is accepted and the identity changes', { skip }, async () => {
      const ip = '36.134.81.200';
      const firmware = async () => (await db().selectFrom('identities').innerJoin('assets', 'assets.id', 'identities.assetId').select('identities.firmware').where('assets.ip', '=', ip).execute()).map((r) => r.firmware);
      assert.equal((await post(platforms[0], [s7smart(ip, 'V2.3.0', T1)])).status, 200);
      for (let round = 0; round < 2; round++) {
        const r = await post(platforms[0], [s7smart(ip, 'V2.4.0', T1)]);
        assert.equal(r.status, 200, `round ${round}: ${JSON.stringify(r.body)}`);
        assert.deepEqual(await firmware(), ['V2.4.0']);
      }
    });
  });
}
