import assert from "node:assert/strict";
import { parseStrictXml, type XmlElement } from "./support/strictXml.js";
import { writeFixture } from "./support/writeFixture.js";

const children = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);
const NUMBER = /^(0|[1-9][0-9]*)$/;
/** The schema's SUREFIRE_TIME: seconds, at most three decimals. */
const TIME = /^[0-9]+(\.[0-9]{1,3})?$/;

describe("reports/junit", () => {
  for (const mask of [true, false]) {
    it(`junit.xml is well-formed and keeps the JUnit schema's rules (masking ${mask ? "on" : "off"})`, async () => {
      const { files } = await writeFixture(mask);
      const root = parseStrictXml(files.get("junit.xml")!);
      assert.ok(files.get("junit.xml")!.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'), "says its encoding");
      assert.equal(root.name, "testsuites");
      const suites = children(root, "testsuite");
      assert.equal(suites.length, 1);
      const suite = suites[0];
      for (const attr of ["tests", "failures", "errors", "skipped"]) assert.match(suite.attrs[attr] ?? "", NUMBER, `testsuite ${attr}`);
      assert.match(suite.attrs.time, TIME);
      assert.equal(suite.attrs.name, "host");
      assert.match(suite.attrs.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/, "the Ant schema's timestamp, no zone");

      // Only the elements the schema allows, in its order: properties, testcases, system-out.
      assert.deepEqual([...new Set(suite.children.map((c) => c.name))], ["properties", "testcase", "system-out"]);
      const cases = children(suite, "testcase");
      for (const c of cases) {
        assert.ok(c.attrs.classname === "isoconf.host" && c.attrs.name, "every testcase has classname and name");
        for (const child of c.children) assert.ok(["failure", "skipped", "system-out"].includes(child.name), child.name);
      }
      const failures = cases.filter((c) => children(c, "failure").length > 0);
      const skipped = cases.filter((c) => children(c, "skipped").length > 0);
      assert.equal(Number(suite.attrs.tests), cases.length);
      assert.equal(Number(suite.attrs.failures), failures.length);
      assert.equal(Number(suite.attrs.skipped), skipped.length);
      assert.equal(suite.attrs.errors, "0");
      assert.equal(root.attrs.tests, suite.attrs.tests);
      assert.equal(root.attrs.failures, suite.attrs.failures);

      // The verdicts: fail is the only failure; flaky passes with a note; skipped and waived skip.
      const byId = new Map(cases.map((c) => [c.attrs.name.split(" ")[0], c]));
      const failure = children(byId.get("H-REV-9")!, "failure")[0];
      assert.equal(failure.attrs.type, "H-REV-9");
      assert.equal(failure.attrs.message, "the reversal of STAN 000002 got an undecodable answer <0410> & ]]>");
      assert.match(failure.text, /steps:\n {2}1\. TERM0001 purchase\(5\.00\)\+drop\n {2}2\. T<1>&#\|` balance/);
      assert.match(failure.text, /expected: a decodable 0410[\s\S]*actual: {3}decode error in field 63: byte  # \|/, "the control byte is removed");
      assert.match(failure.text, /replay: npx isoconf replay 'isoconf-report\/golden run\/H-REV-9\.scenario\.json'$/);
      assert.equal(byId.get("H-ECHO-1")!.children.map((c) => c.name).join(), "system-out");
      assert.match(children(byId.get("H-ECHO-1")!, "system-out")[0].text, /^flaky, not counted as a failure: failed once/);
      assert.equal(children(byId.get("H-TID-1")!, "skipped")[0].attrs.message, "not applicable to dialect cup # no TIDs | <here>");
      assert.match(children(byId.get("H-LIVE-1")!, "skipped")[0].attrs.message, /^waived: known issue LAB-123/);
    });
  }

  describe("the strict XML reader the test relies on", () => {
    const doc = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
    const rejects: Array<[string, string, RegExp]> = [
      ["]]> in text", doc("<a>x]]>y</a>"), /\]\]> in text/],
      ["< in an attribute", doc(`<a b="<"/>`), /< in the value/],
      ["a bare &", doc("<a>a & b</a>"), /bare &/],
      ["an unknown entity", doc("<a>&nbsp;</a>"), /unknown reference/],
      ["a reference to a forbidden character", doc("<a>&#1;</a>"), /forbidden character/],
      ["a control character", doc("<a>\u0001</a>"), /U\+1 is not allowed/],
      ["a lone surrogate", doc("<a>\uD800</a>"), /U\+D800 is not allowed/],
      ["U+FFFE", doc("<a>\uFFFE</a>"), /U\+FFFE is not allowed/],
      ["unbalanced tags", doc("<a><b></a>"), /expected <\/b>/],
      ["two roots", doc("<a/><b/>"), /after the root/],
      ["a duplicate attribute", doc(`<a x="1" x="2"/>`), /duplicate attribute/],
      ["CDATA", doc("<a><![CDATA[x]]></a>"), /CDATA/],
      ["no declaration", "<a/>", /XML declaration/],
    ];
    for (const [name, xml, error] of rejects) it(`rejects ${name}`, () => assert.throws(() => parseStrictXml(xml), error));
    it("reads references and normalises attribute whitespace", () => {
      const el = parseStrictXml(doc(`<a v="x&#10;y\tz">&lt;&amp;&#x41;</a>`));
      assert.equal(el.attrs.v, "x\ny z");
      assert.equal(el.text, "<&A");
    });
  });
});
