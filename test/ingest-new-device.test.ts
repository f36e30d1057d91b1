// A batch whose only new device answers on several ports: one new asset row, several new service
// and identity rows naming it. On PostgreSQL the new rows go by COPY ahead of the batch's other
// writes (src/storage/bulk.ts, bulkWriteAll); the asset must still be written before its services.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Platform } from '../src/main.ts';
import { client } from './support/api.ts';
import { dialectTargets, skipUnless } from './support/stores.ts';
import { ADMIN_PASSWORD, s7smart, startTestPlatform } from './support/platform.ts';

for (const target of dialectTargets()) {
  describe(`one new device on several ports on ${target.name}`, async () => {
    const skip = await skipUnless(target);
    let platform: Platform | undefined;
    let admin: string;
    before(async () => {
      if (skip) return;
      platform = await startTestPlatform(target);
      admin = await client(platform.url).login('admin', ADMIN_PASSWORD);
    });
    after(async () => {
      await platform?.close();
      if (!skip) await target.cleanup();
    });

    test('the batch is accepted; the asset, its three services and their identities are stored', { skip }, async () => {
      const ip = '36.134.81.77';
      const items = [102, 103, 104].map((port) => ({ ...s7smart(ip), port }));
      const r = await client(platform!.url).post('/api/v1/observations', { observations: items }, admin);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.accepted, 3, JSON.stringify(r.body));
      const db = platform!.ctx.store.db;
      const services = await db.selectFrom('services').innerJoin('assets', 'assets.id', 'services.assetId').select('services.port').where('assets.ip', '=', ip).orderBy('services.port').execute();
      assert.deepEqual(
        services.map((s) => s.port),
        [102, 103, 104],
      );
      const identities = await db.selectFrom('identities').innerJoin('assets', 'assets.id', 'identities.assetId').select('identities.firmware').where('assets.ip', '=', ip).execute();
      assert.equal(identities.length, 3);
    });
  });
}
