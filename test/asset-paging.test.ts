// Keyset paging of the asset inventory (src/services/assets.ts, src/services/paging.ts), on every
// storage dialect: a cursor walk visits every asset once in (address, id) order, forwards and back;
// it agrees with numbered pages; it neither repeats nor skips an asset while scans re-observe
// assets or find new ones mid-walk; and two spellings of one address (the same ip_key) are both
// listed, once each.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Platform } from '../src/main.ts';
import type { Actor } from '../src/model/index.ts';
import { ingestObservations, listAssets, type AssetQuery, type AssetView } from '../src/services/index.ts';
import type { CursorPage } from '../src/services/paging.ts';
import { dialectTargets, skipUnless, type DialectTarget } from './support/stores.ts';
import { s7smart, startTestPlatform } from './support/platform.ts';

const PROTOCOLS = [
  { protocol: 'modbus', port: 502 },
  { protocol: 's7comm', port: 102 },
  { protocol: 'bacnet', port: 47808 },
];

// 南昌市 addresses (36.134.80.0–36.134.81.255) in shuffled order, so insertion order is not address order.
const ADDRESSES = Array.from({ length: 40 }, (_, i) => `36.134.${80 + (i % 2)}.${(i * 37) % 251}`);

function observation(ip: string, i: number, observedAt = '2026-11-01T08:00:00.000Z') {
  const { protocol, port } = PROTOCOLS[i % PROTOCOLS.length];
  return { ...s7smart(ip, 'V2.3.0', observedAt), protocol, port, transport: protocol === 'bacnet' ? 'udp' : 'tcp' };
}

/** Every page from the first, following nextCursor (`between` runs before each next page is read). */
async function walk(list: (q: AssetQuery) => Promise<CursorPage<AssetView>>, q: AssetQuery, between?: (page: number) => Promise<void>): Promise<CursorPage<AssetView>[]> {
  const pages = [await list(q)];
  while (pages.at(-1)!.nextCursor) {
    await between?.(pages.length);
    pages.push(await list({ ...q, cursor: pages.at(-1)!.nextCursor! }));
    assert.ok(pages.length <= pages[0].total + 5, 'the walk does not end');
  }
  return pages;
}

/**
 * A platform on `target` for the describe block: started before its tests with the observations
 * `load` gives ingested, closed and its store cleaned up after them. `list` lists its assets as the
 * province admin.
 */
function useLoadedPlatform(target: DialectTarget, skip: string | false, load: (platform: Platform) => unknown[]) {
  const state = {} as { platform: Platform; actor: Actor; list: (q: AssetQuery) => Promise<CursorPage<AssetView>> };
  state.list = (q) => listAssets(state.platform.ctx, state.actor, q);
  before(async () => {
    if (skip) return;
    state.platform = await startTestPlatform(target);
    state.actor = { userId: 'test', username: 'test', role: 'province-admin', regionCode: state.platform.ctx.regions.province.code, enterpriseId: null };
    const items = load(state.platform);
    const r = await ingestObservations(state.platform.ctx, state.actor, items);
    assert.equal(r.accepted, items.length, JSON.stringify(r.rejected));
  });
  after(async () => {
    if (skip) return;
    await state.platform.close();
    await target.cleanup();
  });
  return state;
}

for (const target of dialectTargets()) {
  describe(`asset keyset paging on ${target.name}`, async () => {
    const skip = await skipUnless(target);
    const loaded = useLoadedPlatform(target, skip, () => ADDRESSES.map((ip, i) => observation(ip, i)));
    const { list } = loaded;
    const ids = (pages: CursorPage<AssetView>[]) => pages.flatMap((p) => p.items.map((a) => a.id));

    test('a cursor walk lists every asset once, in address order, forwards and backwards', { skip }, async () => {
      const all = await list({ pageSize: 500 });
      assert.equal(all.items.length, ADDRESSES.length);
      assert.deepEqual([all.nextCursor, all.prevCursor], [null, null], 'one page: nothing before or after it');
      const keys = all.items.map((a) => a.ip.split('.').map(Number));
      for (let i = 1; i < keys.length; i++) assert.ok(keys[i - 1][2] * 256 + keys[i - 1][3] < keys[i][2] * 256 + keys[i][3], `${all.items[i - 1].ip} before ${all.items[i].ip}`);
      for (const pageSize of [1, 3, 7]) {
        const pages = await walk(list, { pageSize });
        assert.deepEqual(ids(pages), all.items.map((a) => a.id), `pageSize ${pageSize}`);
        assert.equal(pages[0].prevCursor, null);
        for (const p of pages) assert.equal(p.total, ADDRESSES.length);
        // Back from the last page to the first, page by page.
        const back: string[][] = [];
        for (let c = pages.at(-1)!.prevCursor; c; ) {
          const p = await list({ pageSize, cursor: c });
          back.unshift(p.items.map((a) => a.id));
          c = p.prevCursor;
        }
        assert.deepEqual(back, pages.slice(0, -1).map((p) => p.items.map((a) => a.id)), `pageSize ${pageSize} backwards`);
        // Page n by number is the n-th cursor page, and its cursors lead to its neighbours.
        for (const n of [1, 2, pages.length]) {
          const byNumber = await list({ pageSize, page: n });
          assert.deepEqual(byNumber.items.map((a) => a.id), pages[n - 1].items.map((a) => a.id), `page ${n} of ${pageSize}`);
          if (byNumber.nextCursor) assert.deepEqual((await list({ pageSize, cursor: byNumber.nextCursor })).items, pages[n].items);
          else assert.equal(n, pages.length);
          if (byNumber.prevCursor) assert.deepEqual((await list({ pageSize, cursor: byNumber.prevCursor })).items, pages[n - 2].items);
          else assert.equal(n, 1);
        }
      }
    });

    test('filters apply on every page and the cursor remembers them', { skip }, async () => {
      for (const q of [{ region: '360100', protocol: 'modbus' }, { vendor: 'Siemens', protocol: 'bacnet' }, { q: 'SMART' }]) {
        const all = await list({ ...q, pageSize: 500 });
        assert.ok(all.items.length > 2, JSON.stringify(q));
        const pages = await walk(list, { ...q, pageSize: 2 });
        assert.deepEqual(ids(pages), all.items.map((a) => a.id), JSON.stringify(q));
        for (const p of pages) assert.equal(p.total, all.items.length, `${JSON.stringify(q)} total`);
        await assert.rejects(list({ pageSize: 2, cursor: pages[0].nextCursor! }), { code: 'INVALID_CURSOR' }, 'the same cursor without its filters');
      }
    });

    test('re-observed and newly found assets mid-walk: nothing repeated, nothing skipped', { skip }, async () => {
      const before = (await list({ pageSize: 500 })).items;
      const added = ['36.134.81.252', '36.134.80.1']; // one past the walk's position, one before it
      assert.ok(added.every((ip) => !ADDRESSES.includes(ip)));
      const pages = await walk(list, { pageSize: 4 }, async (n) => {
        if (n !== 3) return;
        // Every asset seen again a day later, and two new ones.
        const later = '2026-11-02T08:00:00.000Z';
        const r = await ingestObservations(loaded.platform.ctx, loaded.actor, [...ADDRESSES.map((ip, i) => observation(ip, i, later)), ...added.map((ip, i) => observation(ip, i, later))]);
        assert.equal(r.accepted, ADDRESSES.length + added.length, JSON.stringify(r.rejected));
      });
      const seen = pages.flatMap((p) => p.items.map((a) => a.ip));
      assert.equal(new Set(seen).size, seen.length, 'no asset twice');
      assert.deepEqual(seen.filter((ip) => !added.includes(ip)), before.map((a) => a.ip), 'every asset that was there, in order');
      assert.ok(seen.includes('36.134.81.252'), 'a new asset past the position is reached');
      assert.ok(!seen.includes('36.134.80.1'), 'a new asset before the position is not (the walk went past it)');
    });

    test('two spellings of one address share an ip_key: both listed, once each, on either side of a page break', { skip }, async () => {
      // 1.2.3.4 and ::ffff:1.2.3.4 have the same ip_key (src/net/ip.ts); ids break the tie. Two
      // more rows at one asset's address, one with an id before every generated id, one after.
      const { id } = (await list({ pageSize: 1, page: 5 })).items[0];
      const row = await loaded.platform.ctx.store.db.selectFrom('assets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      await loaded.platform.ctx.store.db.insertInto('assets').values({ ...row, id: '0'.repeat(26), ip: `::ffff:${row.ip}` }).execute();
      await loaded.platform.ctx.store.db.insertInto('assets').values({ ...row, id: 'Z'.repeat(26), ip: `0:0:0:0:0:ffff:${row.ip}` }).execute();
      const all = (await list({ pageSize: 500 })).items;
      const tied = all.filter((a) => a.ip.endsWith(row.ip));
      assert.deepEqual(tied.map((a) => a.id), ['0'.repeat(26), row.id, 'Z'.repeat(26)], 'the asset and its two other spellings, by id');
      for (const pageSize of [1, 2]) {
        const pages = await walk(list, { pageSize });
        assert.deepEqual(ids(pages), all.map((a) => a.id), `pageSize ${pageSize}`);
      }
    });
  });
}

// A numbered page reads the ids of its rows first and the rows after; with a protocol filter and a
// walk short beside what the actor sees (walkIsShort in src/services/assets.ts) it also asks
// services about each asset in page order instead of leaving the join to the planner. 南昌市 holds
// 40 assets, a third of them modbus, among 200 in the province: a 南昌+modbus page near the start
// is walked that way, one further in is not. Every numbered page must be the cursor walk's page,
// items, total and cursors alike.
for (const target of dialectTargets()) {
  describe(`numbered asset pages on ${target.name}`, async () => {
    const skip = await skipUnless(target);
    const { list } = useLoadedPlatform(target, skip, (platform) => {
      // Past 南昌's 512 addresses the pack's next ranges lie in the province's other cities.
      const elsewhere = Array.from({ length: 160 }, (_, i) => platform.ctx.regions.publicAddress(512 + i * 3));
      assert.ok(elsewhere.every((ip) => { const at = platform.ctx.regions.locate(ip); return at?.provinceCode === '360000' && at.cityCode !== '360100'; }));
      return [...ADDRESSES, ...elsewhere].map((ip, i) => observation(ip, i));
    });

    test('page n by number is page n of the cursor walk, past the end an empty page', { skip }, async () => {
      for (const q of [{ region: '360100', protocol: 'modbus' }, { protocol: 'bacnet' }, { region: '360100' }, { vendor: 'Siemens' }, {}]) {
        for (const pageSize of [2, 7]) {
          const pages = await walk(list, { ...q, pageSize });
          assert.ok(pages.length >= 2, JSON.stringify(q));
          for (let n = 1; n <= pages.length + 1; n++) {
            const expected = pages[n - 1] ?? { items: [], total: pages[0].total, nextCursor: null, prevCursor: null };
            assert.deepEqual(await list({ ...q, pageSize, page: n }), expected, `${JSON.stringify(q)} page ${n} of ${pageSize}`);
          }
        }
      }
    });
  });
}
