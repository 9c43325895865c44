/**
 * Escaping, one small function per output format. Report text comes from the SUT (decoded field
 * values, error text) and from user suites, so every format escapes everything it writes: a `<`
 * or `]]>` in a field must not break the XML, a `#` must not turn a TAP description into a
 * directive, a `|` must not split a Markdown table.
 */

/** Characters XML 1.0 forbids anywhere (§2.2 Char): C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF. */
const XML_FORBIDDEN = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Invisible characters the other formats show as `\uXXXX` instead: C0 and C1 controls but tab,
 * LF and CR (callers flatten those), DEL, U+FFFE/U+FFFF and lone surrogates. A control byte in a
 * SUT's field is evidence; it should read as one, not vanish or garble the terminal.
 */
const INVISIBLE = /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const hex4 = (c: string) => c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");

/** `s` with invisible characters written as `\uXXXX`. */
export const showControls = (s: string): string => s.replace(INVISIBLE, (c) => `\\u${hex4(c)}`);

/** One line: every line break (CR, LF, NEL, LS, PS) and tab becomes a space. */
export const flattenLines = (s: string): string => s.replace(/\r\n|[\t\n\r\u0085\u2028\u2029]/g, " ");

// ---- XML (JUnit) ----

/**
 * Character data. `>` is escaped too, so `]]>` cannot appear (it may not, outside CDATA); CR is
 * a reference because parsers turn a literal CR into LF. Forbidden characters are removed:
 * XML 1.0 has no way to write them, not even as references.
 */
export const xmlText = (s: string): string =>
  s.replace(XML_FORBIDDEN, "").replace(/[&<>\r]/g, (c) => XML_ENTITY[c]);

/** An attribute value in double quotes; tab, LF and CR as references, which survive attribute normalisation. */
export const xmlAttr = (s: string): string =>
  s.replace(XML_FORBIDDEN, "").replace(/[&<>"'\t\n\r]/g, (c) => XML_ENTITY[c]);

const XML_ENTITY: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

// ---- HTML ----

const HTML_ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text or a double-quoted attribute value in HTML (and inline SVG); invisible characters shown. */
export const html = (s: string): string => showControls(s).replace(/[&<>"']/g, (c) => HTML_ENTITY[c]);

// ---- TAP ----

/** A test point's description or directive reason: one line, `\` and `#` escaped (TAP 13/14). */
export const tapText = (s: string): string => showControls(flattenLines(s)).replace(/[\\#]/g, (c) => `\\${c}`);

/** A TAP comment line: `#`, then the text on one line. */
export const tapComment = (s: string): string => `# ${showControls(flattenLines(s))}`;

/**
 * A YAML double-quoted scalar: `\`, `"`, and every character YAML does not print (controls, NEL,
 * line and paragraph separators, BOM) escaped, so any text stays one valid scalar. A lone
 * surrogate has no escape in YAML: it becomes U+FFFD.
 */
export function yamlString(s: string): string {
  const body = s
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/[\0-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]/g, (c) => YAML_ESCAPE[c] ?? `\\u${hex4(c)}`);
  return `"${body}"`;
}

const YAML_ESCAPE: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

// ---- Markdown ----

/**
 * Prose or a table cell: one line, invisible characters shown, and the characters that carry
 * Markdown meaning backslash-escaped (`|` splits a table cell, `<` and `&` start HTML, `[` a
 * link, backtick a code span, `*` `_` `~` emphasis, `#` a heading or its closing sequence).
 */
export const mdText = (s: string): string =>
  showControls(flattenLines(s))
    .replace(/[\\`*_[\]<>|~&#]/g, (c) => `\\${c}`)
    // At the start of a list item, these would open a nested list or a heading.
    .replace(/^([-+=])/, "\\$1")
    .replace(/^(\d+)([.)])/, "$1\\$2");

/**
 * An inline code span that holds any text: the fence is longer than any backtick run inside.
 * Not for table cells, where GFM splits even a code span at `|`.
 */
export function mdCode(s: string): string {
  const text = showControls(flattenLines(s));
  if (text === "") return "";
  const fence = "`".repeat(longestRun(text, "`") + 1);
  const pad = /^[` ]|[` ]$/.test(text) ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A code span in a GFM table cell: GFM needs `\|` even inside the span, and shows it as `|`. */
export const mdCodeCell = (s: string): string => mdCode(s).replace(/\|/g, "\\|");

/** A fenced code block of `lines`, its fence longer than any backtick run inside. */
export function mdCodeBlock(lines: readonly string[], info = ""): string {
  const text = lines.map(showControls).join("\n");
  const fence = "`".repeat(Math.max(3, longestRun(text, "`") + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

function longestRun(s: string, c: string): number {
  let best = 0;
  let run = 0;
  for (const ch of s) {
    run = ch === c ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

// ---- shell ----

/** A word for a POSIX shell command line, single-quoted when it holds anything but plain path characters. */
export const shellWord = (s: string): string => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
