/**
 * A small, strict XML 1.0 reader for tests: enough of the spec to reject anything a JUnit
 * consumer might choke on. It accepts an XML declaration, elements, attributes in double or
 * single quotes, text, comments, and the five predefined entities and character references; it
 * rejects everything else (DOCTYPE, CDATA, processing instructions past the declaration),
 * forbidden characters, `<` in attribute values, `]]>` in text, unknown or malformed references,
 * references to forbidden characters, duplicate attributes, unbalanced tags, more than one root,
 * and text outside the root. Errors name the offset.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text, references resolved (children's text not included). */
  text: string;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;
const ALLOWED_CHAR = (cp: number) =>
  cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

export function parseStrictXml(xml: string): XmlElement {
  for (let i = 0; i < xml.length; ) {
    const cp = xml.codePointAt(i)!;
    // A lone surrogate reads as its own code unit (0xD800-0xDFFF), which ALLOWED_CHAR refuses.
    if (!ALLOWED_CHAR(cp)) throw new Error(`offset ${i}: character U+${cp.toString(16).toUpperCase()} is not allowed in XML 1.0`);
    i += cp > 0xffff ? 2 : 1;
  }
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`offset ${at}: ${what} (near ${JSON.stringify(xml.slice(at, at + 30))})`);
  };
  // The encoding may be left out: XML 1.0 then reads UTF-8 (tap-junit writes it so).
  const decl = /^<\?xml version="1\.0"(?: encoding="UTF-8")?\?>/.exec(xml);
  if (!decl) fail("expected the XML declaration first");
  at = decl![0].length;

  const resolve = (raw: string, where: number): string =>
    raw.replace(/&([^;]*);|&/g, (all, ref: string | undefined) => {
      if (ref === undefined) fail(`a bare & at ${where}`);
      if (ref! in ENTITIES) return ENTITIES[ref!];
      const m = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ref!);
      if (!m) return fail(`unknown reference &${ref};`);
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2], 10);
      if (!ALLOWED_CHAR(cp)) fail(`reference to forbidden character &${ref};`);
      return String.fromCodePoint(cp);
    });

  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(xml.slice(at))![0];
      at += ws.length;
      if (!xml.startsWith("<!--", at)) return;
      const end = xml.indexOf("-->", at + 4);
      if (end < 0 || xml.slice(at + 4, end).includes("--")) fail("bad comment");
      at = end + 3;
    }
  };

  const element = (): XmlElement => {
    if (xml[at] !== "<") fail("expected <");
    at++;
    const name = NAME.exec(xml.slice(at))?.[0] ?? fail("expected an element name");
    at += name.length;
    const el: XmlElement = { name, attrs: {}, children: [], text: "" };
    for (;;) {
      const ws = /^[ \t\r\n]*/.exec(xml.slice(at))![0];
      at += ws.length;
      if (xml.startsWith("/>", at)) {
        at += 2;
        return el;
      }
      if (xml[at] === ">") {
        at++;
        break;
      }
      if (ws === "") fail("expected whitespace before an attribute");
      const attr = NAME.exec(xml.slice(at))?.[0] ?? fail("expected an attribute name");
      at += attr.length;
      const m = /^[ \t\r\n]*=[ \t\r\n]*("([^"]*)"|'([^']*)')/.exec(xml.slice(at)) ?? fail(`expected ="value" after ${attr}`);
      const raw = m[2] ?? m[3];
      if (raw.includes("<")) fail(`< in the value of ${attr}`);
      if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
      // Attribute-value normalisation: literal whitespace becomes a space, references stay as written.
      el.attrs[attr] = resolve(raw.replace(/[\t\r\n]/g, " "), at);
      at += m[0].length;
    }
    for (;;) {
      const next = xml.indexOf("<", at);
      if (next < 0) fail(`element ${name} is not closed`);
      const raw = xml.slice(at, next);
      if (raw.includes("]]>")) fail("]]> in text");
      el.text += resolve(raw, at);
      at = next;
      if (xml.startsWith("</", at)) {
        const close = new RegExp(`^</${name.replace(/[.]/g, "\\.")}[ \\t\\r\\n]*>`).exec(xml.slice(at)) ?? fail(`expected </${name}>`);
        at += close[0].length;
        return el;
      }
      if (xml.startsWith("<!--", at)) skipMisc();
      else if (xml.startsWith("<!", at) || xml.startsWith("<?", at)) fail("CDATA, DOCTYPE and processing instructions are not expected");
      else el.children.push(element());
    }
  };

  skipMisc();
  const root = element();
  skipMisc();
  if (at !== xml.length) fail("content after the root element");
  return root;
}
