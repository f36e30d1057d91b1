// A small, bounded reader for the plain XML of vulnerability feeds (CNVD's weekly share files):
// elements, attributes, character data, CDATA, comments and processing instructions. No DOCTYPE:
// a document that declares one is refused, so no entity can expand (XML 1.0 §2.8, §4.2) and no
// external resource is named. Never throws; what it cannot read is a reason, not an exception.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own character data (CDATA included), entities decoded, children's text excluded. */
  text: string;
  /** Offsets of the element in the source text: `source.slice(start, end)` is the element. */
  start: number;
  end: number;
}

export type XmlResult = { ok: true; root: XmlElement } | { ok: false; reason: string };

export interface XmlLimits {
  maxChars: number;
  maxDepth: number;
  maxElements: number;
}

export const XML_LIMITS: XmlLimits = { maxChars: 16 * 1024 * 1024, maxDepth: 16, maxElements: 500_000 };

const NAME = /[A-Za-z_:\u00c0-\uffff][-A-Za-z0-9_:.\u00b7\u00c0-\uffff]*/y;
const ATTRIBUTE = /\s+([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the predefined entities and character references (XML 1.0 §4.1, §4.6); null on any other. */
export function decodeEntities(text: string): string | null {
  if (!text.includes('&')) return text;
  let bad = false;
  const out = text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z]+);|&/g, (m, ref: string | undefined) => {
    if (ref === undefined) {
      bad = true;
      return m;
    }
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      // XML 1.0 §2.2 Char: no NUL, no surrogates, nothing above U+10FFFF
      if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        bad = true;
        return m;
      }
      return String.fromCodePoint(cp);
    }
    const v = PREDEFINED[ref];
    if (v === undefined) bad = true;
    return v ?? m;
  });
  return bad ? null : out;
}

export function parseXml(source: unknown, limits: XmlLimits = XML_LIMITS): XmlResult {
  if (typeof source !== 'string') return { ok: false, reason: 'not text' };
  if (source.length > limits.maxChars) return { ok: false, reason: `longer than ${limits.maxChars} characters` };
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const offset = source.length - text.length;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let count = 0;
  let i = 0;
  const fail = (reason: string): XmlResult => ({ ok: false, reason: `${reason} at offset ${i + offset}` });
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt === -1 ? text.length : lt);
    if (chunk.length) {
      const top = stack.at(-1);
      if (!top) {
        if (chunk.trim()) return fail('text outside the root element');
      } else {
        const decoded = decodeEntities(chunk);
        if (decoded === null) return fail('an entity other than the predefined ones');
        top.text += decoded;
      }
    }
    if (lt === -1) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const e = text.indexOf('-->', i + 4);
      if (e === -1) return fail('unterminated comment');
      i = e + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const e = text.indexOf(']]>', i + 9);
      if (e === -1) return fail('unterminated CDATA section');
      const top = stack.at(-1);
      if (!top) return fail('CDATA outside the root element');
      top.text += text.slice(i + 9, e);
      i = e + 3;
    } else if (text.startsWith('<?', i)) {
      const e = text.indexOf('?>', i + 2);
      if (e === -1) return fail('unterminated processing instruction');
      i = e + 2;
    } else if (text.startsWith('<!', i)) {
      return fail('a DOCTYPE or other declaration (refused: no entities are expanded)');
    } else if (text.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(text);
      const top = stack.pop();
      if (!m || !top) return fail('a stray end tag');
      if (m[0] !== top.name) return fail(`end tag </${m[0]}> closes <${top.name}>`);
      const e = text.indexOf('>', NAME.lastIndex);
      if (e === -1 || text.slice(NAME.lastIndex, e).trim()) return fail('a malformed end tag');
      i = e + 1;
      top.end = i + offset;
    } else {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(text);
      if (!m) return fail('a malformed start tag');
      if (++count > limits.maxElements) return fail(`more than ${limits.maxElements} elements`);
      if (stack.length >= limits.maxDepth) return fail(`nested deeper than ${limits.maxDepth}`);
      if (root && stack.length === 0) return fail('a second root element');
      const el: XmlElement = { name: m[0], attributes: {}, children: [], text: '', start: i + offset, end: -1 };
      let p = NAME.lastIndex;
      for (;;) {
        ATTRIBUTE.lastIndex = p;
        const a = ATTRIBUTE.exec(text);
        if (!a) break;
        const value = decodeEntities(a[2] ?? a[3] ?? '');
        if (value === null) return fail('an entity other than the predefined ones');
        el.attributes[a[1]] = value;
        p = ATTRIBUTE.lastIndex;
      }
      while (p < text.length && /\s/.test(text[p])) p++;
      const selfClosing = text.startsWith('/>', p);
      if (!selfClosing && text[p] !== '>') return fail(`a malformed start tag <${m[0]}>`);
      i = p + (selfClosing ? 2 : 1);
      const parent = stack.at(-1);
      if (parent) parent.children.push(el);
      else root = el;
      if (selfClosing) el.end = i + offset;
      else stack.push(el);
    }
  }
  if (stack.length) return { ok: false, reason: `<${stack.at(-1)!.name}> is not closed` };
  if (!root) return { ok: false, reason: 'no root element' };
  return { ok: true, root };
}

/** The first child element with this name. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** The trimmed text of the first child with this name, or null when absent or empty. */
export function childText(el: XmlElement, name: string): string | null {
  const t = child(el, name)?.text.trim();
  return t ? t : null;
}
