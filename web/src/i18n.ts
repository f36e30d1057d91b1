// Every string the dashboard shows, Simplified Chinese first (the design's primary language), English second.
const zh = {
  'app.title': '工业互联网安全态势感知平台',
  'app.short': 'otscope',

  'login.title': '登录',
  'login.subtitle': '省级工业互联网安全监测与态势感知',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.busy': '正在登录…',
  'login.failed': '登录失败',

  'nav.overview': '态势总览',
  'nav.assets': '资产',
  'nav.findings': '漏洞发现',
  'nav.warnings': '预警',
  'nav.risk': '风险评分',
  'risk.explain': '资产风险分 0–100 由下列因素相加：每项的分值 = 权重 × 取值（0–1）。蜜罐地址一律为 0 分。企业分 = 最高资产分 × 60% + 前五资产平均分 × 25% + 逾期预警（2 条及以上满分）15 分；地区分 = 前十资产平均分 × 50% + 中危及以上资产占比（25% 及以上满分）30 分 + 逾期预警（5 条及以上满分）20 分。',
  'risk.factor.cvss': '最严重漏洞（CVSS/10 × 识别置信度）',
  'risk.factor.confidence': '识别置信度（确认 1、很可能 0.8、可能 0.5，乘在漏洞分上）',
  'risk.factor.knownExploited': '已知被利用漏洞（CISA KEV）',
  'risk.factor.findings': '未修复漏洞数（5 个及以上满分）',
  'risk.factor.publicAddress': '公网地址',
  'risk.factor.unauthenticated': '暴露无认证工控协议（Modbus、S7comm、EtherNet/IP、FINS、IEC 104、DNP3、BACnet）',
  'risk.factor.icsServices': '暴露工控服务数（3 个及以上满分）',
  'risk.factor.honeypot': '蜜罐（0 分）',
  'risk.col.score': '风险分',
  'risk.col.factors': '构成（分值/权重）',
  'risk.weight': '权重',

  'header.logout': '退出',
  'header.language': 'English',
  'header.languageTitle': '切换语言',

  'role.province-admin': '省级管理员',
  'role.province-analyst': '省级分析员',
  'role.city-analyst': '市级分析员',
  'role.county-analyst': '县级分析员',
  'role.enterprise-user': '企业用户',
  'role.auditor': '审计员',
  'role.sensor': '传感器',
  'role.national': '国家平台',

  'totals.assets': '暴露资产',
  'totals.vulnerableAssets': '脆弱资产',
  'totals.findings': '漏洞发现',
  'totals.events': '安全事件',
  'totals.enterprises': '工业企业',
  'totals.openWarnings': '未闭环预警',

  'overview.map': '地市暴露资产分布',
  'overview.cities': '地市态势',
  'overview.protocols': '协议排行（资产数）',
  'overview.vendors': '厂商排行（资产数）',
  'overview.updated': '更新时间',
  'overview.noData': '暂无数据',

  'col.city': '地市',
  'col.assets': '资产',
  'col.vulnerableAssets': '脆弱资产',
  'col.events': '事件',
  'col.ip': 'IP 地址',
  'col.region': '所属区域',
  'col.enterprise': '所属企业',
  'col.services': '服务（协议/端口）',
  'col.vendor': '厂商',
  'col.productModel': '产品/型号',
  'col.firmware': '固件版本',
  'col.lastSeen': '最近发现',
  'col.port': '端口',
  'col.advisory': '安全公告',
  'col.cves': 'CVE 编号',
  'col.severity': '危害等级',
  'col.confidence': '置信度',
  'col.reason': '匹配依据',
  'col.title': '标题',
  'col.state': '状态',
  'col.findings': '漏洞数',
  'col.deadline': '整改期限',
  'col.honeypot': '疑似蜜罐',
  'badge.honeypot': '蜜罐',
  'badge.findings': '{n} 个漏洞',

  'filter.region': '区域',
  'filter.enterprise': '企业',
  'filter.protocol': '协议',
  'filter.vendor': '厂商',
  'filter.q': '关键字',
  'filter.qPlaceholder': 'IP、产品、型号、序列号…',
  'filter.ip': 'IP 地址',
  'filter.cve': 'CVE 编号',
  'filter.confidence': '置信度',
  'filter.state': '状态',
  'filter.all': '全部',
  'filter.search': '查询',
  'filter.reset': '重置',

  'page.total': '共 {total} 条',
  'page.of': '第 {page} / {pages} 页',
  'page.prev': '上一页',
  'page.next': '下一页',
  'page.size': '每页 {size} 条',

  'table.empty': '没有符合条件的记录',
  'table.loading': '加载中…',

  'severity.critical': '严重',
  'severity.high': '高危',
  'severity.medium': '中危',
  'severity.low': '低危',
  'severity.none': '无',

  'confidence.confirmed': '已确认',
  'confidence.likely': '很可能',
  'confidence.possible': '可能',

  'state.draft': '草稿',
  'state.issued': '已下发',
  'state.acknowledged': '已签收',
  'state.remediating': '整改中',
  'state.verifying': '复核中',
  'state.resolved': '已闭环',
  'state.reopened': '已重开',

  'col.actions': '操作',
  'action.issue': '下发',
  'action.acknowledge': '签收',
  'action.remediate': '整改',
  'action.evidence': '上传证据',
  'action.verify': '申请复核',
  'action.bulletin': '通报',
  'action.notePrompt': '请填写说明（必填）：',
  'action.evidenceDone': '已上传证据 {name}（SHA-256 {sha}…）',
  'action.overdue': '已逾期',
  'error.INVALID_TRANSITION': '当前状态不允许此操作',
  'error.EVIDENCE_TOO_LARGE': '证据文件过大',
  'error.INVALID_EVIDENCE': '证据文件内容无效',
  'action.details': '详情',
  'detail.findings': '漏洞风险',
  'detail.history': '处置记录',
  'detail.evidence': '整改证据',
  'detail.escalations': '逾期升级',
  'detail.platform': '平台自动',
  'detail.close': '关闭',
  'col.endpoint': 'IP:端口',
  'col.time': '时间',
  'col.change': '状态变化',
  'col.actor': '操作人',
  'col.note': '说明',
  'col.file': '文件',
  'col.size': '大小（字节）',
  'col.recipients': '通知对象',
  'finding.open': '未修复',
  'finding.fixed': '已修复',
  'error.generic': '请求失败',
  'error.network': '无法连接服务器',
  'error.BAD_CREDENTIALS': '用户名或密码错误',
  'error.LOGIN_THROTTLED': '登录失败次数过多，请稍后再试',
  'error.UNAUTHENTICATED': '请先登录，或登录已过期',
  'error.FORBIDDEN': '当前角色无权执行此操作',
  'error.NOT_FOUND': '对象不存在',
  'error.VALIDATION_FAILED': '查询条件格式不正确',
  'error.INTERNAL': '服务器内部错误',
  'common.yes': '是',
  'common.none': '—',
  'time.zone': '北京时间',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  'app.title': 'Industrial Internet Security Situational Awareness',
  'app.short': 'otscope',

  'login.title': 'Sign in',
  'login.subtitle': 'Provincial industrial-internet security monitoring',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.busy': 'Signing in…',
  'login.failed': 'Sign-in failed',

  'nav.overview': 'Overview',
  'nav.assets': 'Assets',
  'nav.findings': 'Findings',
  'nav.warnings': 'Warnings',
  'nav.risk': 'Risk',
  'risk.explain': 'An asset\'s risk score (0–100) is the sum of the factors below; each gives weight × value (0–1). A honeypot always scores 0. Enterprise = worst asset × 60% + mean of the five worst × 25% + overdue warnings (2 or more: full) 15 points; region = mean of the ten worst assets × 50% + share of assets at medium risk or above (25% or more: full) 30 points + overdue warnings (5 or more: full) 20 points.',
  'risk.factor.cvss': 'Worst finding (CVSS/10 × identity confidence)',
  'risk.factor.confidence': 'Identity confidence (confirmed 1, likely 0.8, possible 0.5; multiplies the finding)',
  'risk.factor.knownExploited': 'Known exploited (CISA KEV)',
  'risk.factor.findings': 'Open findings (5 or more: full weight)',
  'risk.factor.publicAddress': 'Public address',
  'risk.factor.unauthenticated': 'Exposed ICS protocol without authentication (Modbus, S7comm, EtherNet/IP, FINS, IEC 104, DNP3, BACnet)',
  'risk.factor.icsServices': 'Exposed ICS services (3 or more: full weight)',
  'risk.factor.honeypot': 'Honeypot (score 0)',
  'risk.col.score': 'Risk score',
  'risk.col.factors': 'Factors (points/weight)',
  'risk.weight': 'Weight',

  'header.logout': 'Log out',
  'header.language': '中文',
  'header.languageTitle': 'Switch language',

  'role.province-admin': 'Province admin',
  'role.province-analyst': 'Province analyst',
  'role.city-analyst': 'City analyst',
  'role.county-analyst': 'County analyst',
  'role.enterprise-user': 'Enterprise user',
  'role.auditor': 'Auditor',
  'role.sensor': 'Sensor',
  'role.national': 'National platform',

  'totals.assets': 'Exposed assets',
  'totals.vulnerableAssets': 'Vulnerable assets',
  'totals.findings': 'Findings',
  'totals.events': 'Security events',
  'totals.enterprises': 'Enterprises',
  'totals.openWarnings': 'Open warnings',

  'overview.map': 'Exposed assets by city',
  'overview.cities': 'Cities',
  'overview.protocols': 'Top protocols (assets)',
  'overview.vendors': 'Top vendors (assets)',
  'overview.updated': 'Updated',
  'overview.noData': 'No data yet',

  'col.city': 'City',
  'col.assets': 'Assets',
  'col.vulnerableAssets': 'Vulnerable',
  'col.events': 'Events',
  'col.ip': 'IP address',
  'col.region': 'Region',
  'col.enterprise': 'Enterprise',
  'col.services': 'Services (protocol/port)',
  'col.vendor': 'Vendor',
  'col.productModel': 'Product / model',
  'col.firmware': 'Firmware',
  'col.lastSeen': 'Last seen',
  'col.port': 'Port',
  'col.advisory': 'Advisory',
  'col.cves': 'CVEs',
  'col.severity': 'Severity',
  'col.confidence': 'Confidence',
  'col.reason': 'Reason',
  'col.title': 'Title',
  'col.state': 'State',
  'col.findings': 'Findings',
  'col.deadline': 'Deadline',
  'col.honeypot': 'Likely honeypot',
  'badge.honeypot': 'Honeypot',
  'badge.findings': '{n} findings',

  'filter.region': 'Region',
  'filter.enterprise': 'Enterprise',
  'filter.protocol': 'Protocol',
  'filter.vendor': 'Vendor',
  'filter.q': 'Search',
  'filter.qPlaceholder': 'IP, product, model, serial…',
  'filter.ip': 'IP address',
  'filter.cve': 'CVE',
  'filter.confidence': 'Confidence',
  'filter.state': 'State',
  'filter.all': 'All',
  'filter.search': 'Search',
  'filter.reset': 'Reset',

  'page.total': 'Total: {total}',
  'page.of': 'Page {page} of {pages}',
  'page.prev': 'Previous',
  'page.next': 'Next',
  'page.size': '{size} per page',

  'table.empty': 'No matching records',
  'table.loading': 'Loading…',

  'severity.critical': 'Critical',
  'severity.high': 'High',
  'severity.medium': 'Medium',
  'severity.low': 'Low',
  'severity.none': 'None',

  'confidence.confirmed': 'Confirmed',
  'confidence.likely': 'Likely',
  'confidence.possible': 'Possible',

  'state.draft': 'Draft',
  'state.issued': 'Issued',
  'state.acknowledged': 'Acknowledged',
  'state.remediating': 'Remediating',
  'state.verifying': 'Verifying',
  'state.resolved': 'Resolved',
  'state.reopened': 'Reopened',

  'col.actions': 'Actions',
  'action.issue': 'Issue',
  'action.acknowledge': 'Acknowledge',
  'action.remediate': 'Remediate',
  'action.evidence': 'Upload evidence',
  'action.verify': 'Request verification',
  'action.bulletin': 'Bulletin',
  'action.notePrompt': 'A note (required):',
  'action.evidenceDone': 'Evidence {name} uploaded (SHA-256 {sha}…)',
  'action.overdue': 'Overdue',
  'error.INVALID_TRANSITION': 'The warning\'s state does not allow this',
  'error.EVIDENCE_TOO_LARGE': 'The evidence file is too large',
  'error.INVALID_EVIDENCE': 'The evidence file is not valid',
  'action.details': 'Details',
  'detail.findings': 'Findings',
  'detail.history': 'History',
  'detail.evidence': 'Remediation evidence',
  'detail.escalations': 'Escalations',
  'detail.platform': 'Platform',
  'detail.close': 'Close',
  'col.endpoint': 'IP:port',
  'col.time': 'Time',
  'col.change': 'Change',
  'col.actor': 'By',
  'col.note': 'Note',
  'col.file': 'File',
  'col.size': 'Size (bytes)',
  'col.recipients': 'Notified',
  'finding.open': 'Open',
  'finding.fixed': 'Fixed',
  'error.generic': 'Request failed',
  'error.network': 'Cannot reach the server',
  'error.BAD_CREDENTIALS': 'Wrong username or password',
  'error.LOGIN_THROTTLED': 'Too many failed logins; wait before trying again',
  'error.UNAUTHENTICATED': 'Log in first, or the session has expired',
  'error.FORBIDDEN': 'Your role may not do this',
  'error.NOT_FOUND': 'No such object',
  'error.VALIDATION_FAILED': 'A filter value is not in the expected form',
  'error.INTERNAL': 'Internal server error',
  'common.yes': 'Yes',
  'common.none': '—',
  'time.zone': 'China Standard Time',
};

export type Lang = 'zh' | 'en';
const TABLES: Record<Lang, Record<MessageKey, string>> = { zh, en };
const STORAGE_KEY = 'otscope.lang';

let current: Lang = readStoredLang();

function readStoredLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Storage may be disabled (private mode); the choice then lasts for this page only.
  }
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
}

/** Looks a message up in the current language and fills `{name}` placeholders. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const text = TABLES[current][key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** For values that come from the API (severity, role, state, error code…): falls back to the raw value when unknown. */
export function tValue(prefix: 'role' | 'severity' | 'confidence' | 'state' | 'error', value: string): string {
  const key = `${prefix}.${value}`;
  return key in zh ? t(key as MessageKey) : value;
}
