// The bulletin (通报) of one warning as a Word document (Office Open XML, ECMA-376), in Chinese:
// title "关于…的通报", the enterprise and its region, a table of the findings (IP, port, product,
// CVE, severity, CVSS), the advisories' remediation advice, the deadline and the issuing office.
// Pure: data in, bytes out.
import { AlignmentType, BorderStyle, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';

export interface BulletinFinding {
  ip: string;
  port: number;
  product: string | null;
  firmware: string | null;
  cve: string;
  severity: string;
  cvss: number | null;
}

export interface BulletinData {
  warningId: string;
  /** "关于…的通报" is built from the enterprise's name. */
  enterpriseName: string;
  creditCode: string | null;
  /** Province / city / county names, top down. */
  region: string[];
  severity: string;
  state: string;
  issuedAt: string | null;
  deadline: string | null;
  findings: BulletinFinding[];
  /** Advice per advisory, from the advisories' CSAF remediations. */
  remediations: { advisoryId: string; advisoryTitle: string | null; cves: string[]; advice: string[] }[];
  office: string;
  /** The day the document is dated, Beijing time, "2026年11月25日". */
  date: string;
}

const FONT = 'SimSun';
const HEADING_FONT = 'SimHei';

const SEVERITY_ZH: Record<string, string> = { critical: '严重', high: '高危', medium: '中危', low: '低危', none: '无' };

export const bulletinTitle = (enterpriseName: string): string => `关于${enterpriseName}工业控制系统安全漏洞风险的通报`;

const text = (t: string, opts: { bold?: boolean; size?: number; font?: string } = {}) => new TextRun({ text: t, bold: opts.bold, size: opts.size ?? 24, font: opts.font ?? FONT });
const para = (t: string, opts: { bold?: boolean; indent?: boolean; align?: (typeof AlignmentType)[keyof typeof AlignmentType] } = {}) =>
  new Paragraph({ children: [text(t, opts)], alignment: opts.align, indent: opts.indent ? { firstLine: 480 } : undefined, spacing: { after: 120, line: 360 } });

function cell(t: string, header = false): TableCell {
  return new TableCell({ children: [new Paragraph({ children: [text(t, { bold: header, size: 20, font: header ? HEADING_FONT : FONT })], alignment: AlignmentType.CENTER })] });
}

function findingsTable(rows: BulletinFinding[]): Table {
  const head = ['序号', 'IP 地址', '端口', '设备/产品', '漏洞编号', '危害等级', 'CVSS'];
  const border = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: { top: border, bottom: border, left: border, right: border, insideHorizontal: border, insideVertical: border },
    rows: [
      new TableRow({ tableHeader: true, children: head.map((h) => cell(h, true)) }),
      ...rows.map(
        (f, i) =>
          new TableRow({
            children: [
              cell(String(i + 1)),
              cell(f.ip),
              cell(String(f.port)),
              cell([f.product, f.firmware ? `固件 ${f.firmware}` : null].filter(Boolean).join('，') || '—'),
              cell(f.cve),
              cell(SEVERITY_ZH[f.severity] ?? f.severity),
              cell(f.cvss == null ? '—' : f.cvss.toFixed(1)),
            ],
          }),
      ),
    ],
  });
}

export async function buildBulletin(d: BulletinData): Promise<Buffer> {
  const title = bulletinTitle(d.enterpriseName);
  const endpoints = new Set(d.findings.map((f) => `${f.ip}:${f.port}`)).size;
  const cves = [...new Set(d.findings.map((f) => f.cve))];
  const body: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER, spacing: { after: 240 }, children: [text(title, { bold: true, size: 36, font: HEADING_FONT })] }),
    para(`${d.enterpriseName}：`),
    para(
      `经${d.office}工业互联网安全监测发现，贵单位（${[d.creditCode ? `统一社会信用代码 ${d.creditCode}` : null, `属地 ${d.region.join('')}`].filter(Boolean).join('，')}）联网暴露的工业控制系统设备中，${endpoints} 个服务存在 ${cves.length} 个已公开安全漏洞（最高危害等级：${SEVERITY_ZH[d.severity] ?? d.severity}），可能被利用造成生产中断或数据泄露。现将有关情况通报如下。`,
      { indent: true },
    ),
    new Paragraph({ heading: HeadingLevel.HEADING_2, children: [text('一、漏洞风险情况', { bold: true, font: HEADING_FONT })], spacing: { before: 240, after: 120 } }),
    findingsTable(d.findings),
    new Paragraph({ heading: HeadingLevel.HEADING_2, children: [text('二、整改建议', { bold: true, font: HEADING_FONT })], spacing: { before: 240, after: 120 } }),
    ...d.remediations.flatMap((r) => [
      para(`${r.advisoryId}${r.advisoryTitle ? `（${r.advisoryTitle}）` : ''}，涉及 ${r.cves.join('、')}：`, { bold: true }),
      ...(r.advice.length ? r.advice : ['请联系设备厂商获取安全更新，并限制设备的网络访问。']).map((a) => para(a, { indent: true })),
    ]),
    new Paragraph({ heading: HeadingLevel.HEADING_2, children: [text('三、整改要求', { bold: true, font: HEADING_FONT })], spacing: { before: 240, after: 120 } }),
    para(`请贵单位于 ${d.deadline ?? '—'} 前完成整改，通过平台上传整改证据并申请复核；复核监测确认漏洞已修复或服务已不再暴露后，本预警闭环。逾期未完成整改的，将通报属地县（区）、市级主管部门督促落实。`, { indent: true }),
    para(`预警编号：${d.warningId}；下发时间：${d.issuedAt ?? '—'}；当前状态：${d.state}。`, { indent: true }),
    new Paragraph({ spacing: { before: 480 }, alignment: AlignmentType.RIGHT, children: [text(d.office)] }),
    new Paragraph({ alignment: AlignmentType.RIGHT, children: [text(d.date)] }),
  ];
  const doc = new Document({
    creator: d.office,
    title,
    description: `otscope warning ${d.warningId}`,
    styles: { default: { document: { run: { font: FONT, size: 24 } } } },
    sections: [{ children: body }],
  });
  return Packer.toBuffer(doc);
}
