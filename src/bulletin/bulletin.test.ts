import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unzipEntry } from '../../test/support/zip.ts';
import { buildBulletin, bulletinTitle, type BulletinData } from './index.ts';

const data: BulletinData = {
  warningId: '01JTESTWARNING000000000000',
  enterpriseName: '江西测试化工有限公司',
  creditCode: '91360102MA35XXXXXX',
  region: ['江西省', '南昌市', '东湖区'],
  severity: 'high',
  state: '已下发',
  issuedAt: '2026-11-25 10:00（北京时间）',
  deadline: '2026-12-10 10:00（北京时间）',
  findings: [
    { ip: '36.134.80.10', port: 102, product: 'Siemens SIMATIC S7-200 SMART CPU ST40', firmware: 'V2.3.0', cve: 'CVE-2020-7584', severity: 'high', cvss: 7.5 },
    { ip: '36.134.80.11', port: 502, product: null, firmware: null, cve: 'CVE-2021-22779', severity: 'critical', cvss: 9.8 },
  ],
  remediations: [{ advisoryId: 'ICSA-20-196-06', advisoryTitle: 'Siemens SIMATIC S7-200 SMART', cves: ['CVE-2020-7584'], advice: ['Siemens recommends users update to v2.5.1'] }],
  office: '江西省工业和信息化厅',
  date: '2026年11月25日',
};

test('the bulletin is a Word document whose body carries the title, the findings and the advice', async () => {
  const docx = await buildBulletin(data);
  assert.equal(docx.subarray(0, 4).toString('hex'), '504b0304');
  assert.match(unzipEntry(docx, '[Content_Types].xml')!.toString('utf8'), /wordprocessingml\.document\.main\+xml/);
  const xml = unzipEntry(docx, 'word/document.xml')!.toString('utf8');
  assert.equal(bulletinTitle(data.enterpriseName), '关于江西测试化工有限公司工业控制系统安全漏洞风险的通报');
  for (const needle of [bulletinTitle(data.enterpriseName), 'CVE-2020-7584', 'CVE-2021-22779', '36.134.80.11', '9.8', '严重', '高危', 'Siemens recommends users update to v2.5.1', '2026-12-10 10:00', '江西省工业和信息化厅', '江西省南昌市东湖区']) {
    assert.ok(xml.includes(needle), `document.xml lacks ${needle}`);
  }
  // One table row per finding under the header row.
  assert.equal(xml.match(/<w:tr>|<w:tr /g)?.length, 3);
});

test('an advisory without remediations still gets advice', async () => {
  const xml = unzipEntry(await buildBulletin({ ...data, remediations: [{ advisoryId: 'X', advisoryTitle: null, cves: ['CVE-2020-7584'], advice: [] }] }), 'word/document.xml')!.toString('utf8');
  assert.ok(xml.includes('请联系设备厂商获取安全更新'));
});

test('text that looks like XML stays text', async () => {
  const xml = unzipEntry(await buildBulletin({ ...data, enterpriseName: '<w:p>&"测试"' }), 'word/document.xml')!.toString('utf8');
  assert.ok(xml.includes('&lt;w:p&gt;&amp;'));
});
