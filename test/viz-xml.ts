/**
 * A minimal XML reader for the viz tests: parses a document into elements
 * and fails on what makes XML ill-formed for a browser (unclosed or
 * mismatched tags, unquoted or duplicate attributes, bare `&` or `<` in
 * text, unknown entities). Enough to check that generated SVG opens and to
 * query its content; not a general XML parser (no DTDs, no namespaces).
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text directly inside this element (entities decoded). */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  return raw.replace(/&([^;\s&<]*);?/g, (match, name: string) => {
    if (!match.endsWith(';')) throw new Error(`bare & at ${where}`);
    if (name in ENTITIES) return ENTITIES[name] as string;
    if (/^#\d+$/.test(name)) return String.fromCodePoint(Number(name.slice(1)));
    if (/^#x[0-9a-f]+$/i.test(name)) return String.fromCodePoint(parseInt(name.slice(2), 16));
    throw new Error(`unknown entity &${name}; at ${where}`);
  });
}

/** Parses `xml` and returns its root element; throws with a position on ill-formed input. */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const skipProlog = (): void => {
    for (;;) {
      while (i < xml.length && /\s/.test(xml[i] as string)) i++;
      if (xml.startsWith('<?', i)) i = xml.indexOf('?>', i) + 2;
      else if (xml.startsWith('<!--', i)) i = xml.indexOf('-->', i) + 3;
      else if (xml.startsWith('<!DOCTYPE', i)) i = xml.indexOf('>', i) + 1;
      else return;
    }
  };
  skipProlog();
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? xml.length : lt;
    if (textEnd > i) {
      const text = xml.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (text.trim() !== '') throw new Error(`text outside the root element at ${i}`);
      } else {
        top.text += decode(text, i);
      }
      i = textEnd;
      if (lt === -1) break;
    }
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end === -1) throw new Error(`unclosed comment at ${i}`);
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i);
      if (end === -1) throw new Error(`unclosed CDATA at ${i}`);
      const top = stack[stack.length - 1];
      if (top !== undefined) top.text += xml.slice(i + 9, end);
      i = end + 3;
      continue;
    }
    if (xml[i + 1] === '/') {
      const end = xml.indexOf('>', i);
      const name = xml.slice(i + 2, end).trim();
      const top = stack.pop();
      if (top === undefined || top.name !== name) throw new Error(`</${name}> does not close <${top?.name ?? 'nothing'}> at ${i}`);
      i = end + 1;
      if (stack.length === 0) {
        root = top;
        skipProlog();
        if (i < xml.length) throw new Error(`content after the root element at ${i}`);
      }
      continue;
    }
    // A start tag.
    const nameMatch = /^<([A-Za-z_][\w.:-]*)/.exec(xml.slice(i, i + 100));
    if (nameMatch === null) throw new Error(`bad tag at ${i}: ${xml.slice(i, i + 20)}`);
    const el: XmlElement = { name: nameMatch[1] as string, attrs: {}, children: [], text: '' };
    i += nameMatch[0].length;
    for (;;) {
      while (/\s/.test(xml[i] as string)) i++;
      if (xml.startsWith('/>', i)) {
        i += 2;
        attach(el, true);
        break;
      }
      if (xml[i] === '>') {
        i += 1;
        attach(el, false);
        break;
      }
      const attr = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(xml.slice(i, i + 100_000));
      if (attr === null) throw new Error(`bad attribute in <${el.name}> at ${i}: ${xml.slice(i, i + 30)}`);
      const attrName = attr[1] as string;
      if (attrName in el.attrs) throw new Error(`duplicate attribute ${attrName} in <${el.name}> at ${i}`);
      el.attrs[attrName] = decode((attr[3] ?? attr[4]) as string, i);
      i += attr[0].length;
    }
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1]?.name}> is never closed`);
  if (root === null) throw new Error('no root element');
  return root;

  function attach(el: XmlElement, selfClosing: boolean): void {
    const parent = stack[stack.length - 1];
    if (parent !== undefined) parent.children.push(el);
    else if (root !== null) throw new Error('a second root element');
    if (selfClosing) {
      if (parent === undefined) root = el;
    } else {
      stack.push(el);
    }
  }
}

/** Every element in document order for which `match` holds. */
export function findAll(root: XmlElement, match: (el: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (el: XmlElement): void => {
    if (match(el)) out.push(el);
    for (const c of el.children) walk(c);
  };
  walk(root);
  return out;
}

/** True if the element's class attribute includes `cls`. */
export function hasClass(el: XmlElement, cls: string): boolean {
  return (el.attrs.class ?? '').split(/\s+/).includes(cls);
}

/** The text of an element's <title> child, if any. */
export function titleOf(el: XmlElement): string | undefined {
  return el.children.find((c) => c.name === 'title')?.text;
}
