import assert from "node:assert/strict";
import fc from "fast-check";
import { flattenLines, html, mdCode, mdCodeBlock, mdCodeCell, mdText, shellWord, showControls, tapText, xmlAttr, xmlText, yamlString } from "../../reports/escape.js";
import { parseStrictXml } from "./support/strictXml.js";

const LONE_HIGH = "\uD800";
const LONE_LOW = "\uDC00";

describe("reports/escape", () => {
  // Each format's escaping, case by case; the hostile characters of the golden fixture, one at a time.
  const cases: Array<[string, (s: string) => string, string, string]> = [
    // XML character data
    ["xmlText: markup", xmlText, `<a href="x">&amp;</a>`, `&lt;a href="x"&gt;&amp;amp;&lt;/a&gt;`],
    ["xmlText: ]]> cannot appear", xmlText, "a]]>b", "a]]&gt;b"],
    ["xmlText: forbidden controls removed, tab LF kept, CR as reference", xmlText, "a\u0001\u0008\t\n\rb\u001F", "a\t\n&#13;b"],
    ["xmlText: lone surrogates and U+FFFE/FFFF removed, pairs kept", xmlText, `x${LONE_HIGH}y${LONE_LOW}z\uFFFE\uFFFF😀`, "xyz😀"],
    // XML attributes
    ["xmlAttr: quotes and apostrophes", xmlAttr, `"it's"`, "&quot;it&apos;s&quot;"],
    ["xmlAttr: whitespace as references", xmlAttr, "a\tb\nc\rd", "a&#9;b&#10;c&#13;d"],
    ["xmlAttr: forbidden removed", xmlAttr, "a\u0000b\uFFFF", "ab"],
    // HTML
    ["html: markup and quotes", html, `<script>"x" & 'y'</script>`, "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"],
    ["html: controls shown", html, "a\u0001b\u007Fc", "a\\u0001b\\u007Fc"],
    // TAP
    ["tapText: # and \\ escaped", tapText, "a # b \\ c", "a \\# b \\\\ c"],
    ["tapText: one line", tapText, "a\nb\r\nc\u2028d", "a b c d"],
    ["tapText: a shown control's backslash is escaped too", tapText, "x\u0001", "x\\\\u0001"],
    // YAML
    ["yamlString: quotes and backslashes", yamlString, `a "b" \\ c`, `"a \\"b\\" \\\\ c"`],
    ["yamlString: line breaks escaped", yamlString, "a\nb\u2028c\u0085", `"a\\nb\\u2028c\\u0085"`],
    ["yamlString: a lone surrogate becomes U+FFFD", yamlString, `a${LONE_HIGH}`, `"a\uFFFD"`],
    // Markdown
    ["mdText: table pipe, emphasis, html, code, heading", mdText, "a | *b* <c> `d` #e &f", "a \\| \\*b\\* \\<c\\> \\`d\\` \\#e \\&f"],
    ["mdText: a leading list marker", mdText, "- a", "\\- a"],
    ["mdText: a leading ordered-list marker", mdText, "1. a", "1\\. a"],
    ["mdText: one line", mdText, "a\nb", "a b"],
    ["mdCode: plain", mdCode, "a|b", "`a|b`"],
    ["mdCode: backticks inside take a longer fence", mdCode, "a`b``c", "```a`b``c```"],
    ["mdCode: a backtick at the edge is padded", mdCode, "`x", "`` `x ``"],
    ["mdCode: empty is nothing", mdCode, "", ""],
    ["mdCodeCell: pipes escaped for GFM tables", mdCodeCell, "a|b", "`a\\|b`"],
    // shell
    ["shellWord: plain path as is", shellWord, "isoconf-report/2026/H-REV-1.scenario.json", "isoconf-report/2026/H-REV-1.scenario.json"],
    ["shellWord: spaces and quotes", shellWord, "my dir/it's", "'my dir/it'\\''s'"],
    ["shellWord: $ and backtick", shellWord, "a$b`c", "'a$b`c'"],
  ];
  for (const [name, fn, input, expected] of cases) it(name, () => assert.equal(fn(input), expected));

  it("mdCodeBlock: the fence outgrows backtick runs in the text", () => {
    assert.equal(mdCodeBlock(["a ```` b"], "sh"), "`````sh\na ```` b\n`````");
  });

  it("showControls keeps tab, LF, CR and printable text", () => assert.equal(showControls("a\tb\nc\rd é 中"), "a\tb\nc\rd é 中"));
  it("flattenLines turns CRLF into one space", () => assert.equal(flattenLines("a\r\nb"), "a b"));

  // Round trips over any string, including lone surrogates and every control character.
  // Strings of any UTF-16 code units (lone surrogates included), any code points, and the classics.
  const fragment = fc.oneof(
    fc.string({ unit: "binary", maxLength: 5 }),
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom("]]>", "&#1;", "&amp;", "\r\n", "#", "\\", "`", "|"),
  );
  const anyChars = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(""));
  const xmlClean = (s: string) => s.replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "");

  it("xmlText and xmlAttr: any string is well-formed XML and reads back without the forbidden characters", () => {
    fc.assert(
      fc.property(anyChars, anyChars, (text, attr) => {
        const doc = parseStrictXml(`<?xml version="1.0" encoding="UTF-8"?>\n<a v="${xmlAttr(attr)}">${xmlText(text)}</a>`);
        assert.equal(doc.text, xmlClean(text));
        assert.equal(doc.attrs.v, xmlClean(attr));
      }),
      { numRuns: 500 },
    );
  });

  it("yamlString: any string is one JSON-compatible double-quoted scalar with nothing unprintable in it", () => {
    fc.assert(
      fc.property(anyChars, (s) => {
        const y = yamlString(s);
        assert.ok(!/[\0-\x1F\x7F-\x9F\u2028\u2029\uFEFF]/.test(y), y);
        assert.equal(JSON.parse(y), s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD"));
      }),
      { numRuns: 500 },
    );
  });

  it("tapText and mdText: any string stays on one line with every # escaped", () => {
    fc.assert(
      fc.property(anyChars, (s) => {
        for (const out of [tapText(s), mdText(s)]) {
          assert.ok(!/[\r\n\u2028\u2029\u0085]/.test(out));
          assert.ok(!/(^|[^\\])(\\\\)*#/.test(out), `unescaped # in ${JSON.stringify(out)}`);
        }
      }),
      { numRuns: 500 },
    );
  });
});
