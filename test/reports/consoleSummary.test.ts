import assert from "node:assert/strict";
import { renderConsoleSummary } from "../../reports/consoleSummary.js";
import { MASKING_OFF } from "../../reports/report.js";
import { suiteResult, waivers } from "./support/fixture.js";

/** The console summary exactly as it was before colour: with colour off it must not change by a byte. */
const WITH_OUT_DIR = [
  "ok   H-FMT-1   Responses decode under the dialect (judged 412 frames from the host)",
  "FAIL H-REV-9   Reversals <0400> & \"answers\" # | ]]>",
  "skip H-TID-1   Unregistered terminals are refused (not applicable to dialect cup # no TIDs | <here>)",
  "FLKY H-ECHO-1  Responses echo the matching fields (failed once, then 1 of 2 re-runs)",
  "UNTD H-REV-2   Reversals of unknown or reversed transactions change nothing (no answered reversals of unknown or reversed transactions in 100 scenarios)",
  "n/a  H-SET-1   Settlement totals agree (the SUT's profile says it has no settlement)",
  "WAIV H-LIVE-1  The host survives malformed frames (waived: known issue LAB-123 <fixed in 2.1> & tracked)",
  "",
  "H-REV-9: A reversal MUST be acknowledged with a decodable 0410 & nothing else.",
  "  found after 36 scenario(s); shrunk from 10 to 2 step(s) in 55 run(s)",
  "  1. TERM0001 purchase(5.00)+drop",
  "  2. T<1>&#|` balance+malformed:bad_content",
  "  - the reversal of STAN 000002 got an undecodable answer <0410> & ]]>",
  "    expected: a decodable 0410 with field 39 = \"00\"",
  "    actual:   decode error in field 63: byte \u0001 # | for card 6225880012345678",
  "  - the host logged the card 6225880012345678D2512101 | in clear",
  "    expected: no card data in logs",
  "    actual:   log line <b>&amp; ]]> \u0001 # | `tick`",
  "  - the link broke framing",
  "    expected: a length header of at least 2",
  "    actual:   length 3",
  "  (+1 more)",
  "  replay: npx isoconf replay isoconf-report/run/H-REV-9.scenario.json",
  "",
  "H-LIVE-1: After a malformed frame the host MUST still answer the next valid request.",
  "  found after 3 scenario(s); shrunk from 4 to 1 step(s) in 9 run(s)",
  "  1. TERM0001 echo",
  "  - the echo was declined with 96",
  "    expected: rc 00",
  "    actual:   rc 96",
  "  replay: npx isoconf replay isoconf-report/run/H-LIVE-1.scenario.json",
  "",
  "host suite, dialect cup, target in-process reference host with bug <reversal-ignored> & \"quotes\": 1 passed, 1 failed, 1 flaky, 1 untested, 1 n/a, 1 skipped, 1 waived (100 scenarios, 520 executions, 2.1 s, seed 42)",
  "report: isoconf-report/run/index.html (and results.tap, junit.xml, a bug report per failure)",
].join("\n");

const INTERRUPTED_LAST = "host suite, dialect cup, target in-process reference host with bug <reversal-ignored> & \"quotes\": 1 passed, 2 failed, 1 flaky, 1 untested, 1 n/a, 1 skipped (100 scenarios, 520 executions, 2.1 s, seed 42) — INTERRUPTED";

const SGR = /\x1b\[\d+m/g;

describe("reports/consoleSummary", () => {
  it("colour off (the default): byte for byte the plain summary", () => {
    assert.equal(renderConsoleSummary(suiteResult, "isoconf-report/run", waivers), WITH_OUT_DIR);
    assert.equal(renderConsoleSummary(suiteResult, "isoconf-report/run", waivers, { colour: false }), WITH_OUT_DIR);
    assert.equal(renderConsoleSummary(suiteResult, "isoconf-report/run", waivers, {}), WITH_OUT_DIR);
    assert.equal(renderConsoleSummary({ ...suiteResult, interrupted: true }, undefined).split("\n").at(-1), INTERRUPTED_LAST);
  });

  it("colour on: the verdict marks coloured, the counts line bold, the rest unchanged", () => {
    const coloured = renderConsoleSummary(suiteResult, "isoconf-report/run", waivers, { colour: true });
    assert.equal(coloured.replace(SGR, ""), WITH_OUT_DIR);
    const lines = coloured.split("\n");
    assert.deepEqual(lines.slice(0, 7).map((l) => l.slice(0, l.indexOf(" H-"))), [
      "\x1b[32mok  \x1b[39m",
      "\x1b[31mFAIL\x1b[39m",
      "\x1b[2mskip\x1b[22m",
      "\x1b[33mFLKY\x1b[39m",
      "\x1b[33mUNTD\x1b[39m",
      "\x1b[2mn/a \x1b[22m",
      "\x1b[36mWAIV\x1b[39m",
    ]);
    const counts = lines.findIndex((l) => l.includes(" suite, dialect "));
    assert.match(lines[counts], /^\x1b\[1mhost suite, .*seed 42\)\x1b\[22m$/);
    // Only the marks and the counts line: every other line is exactly as without colour.
    const plain = WITH_OUT_DIR.split("\n");
    lines.forEach((l, i) => {
      if (i >= 7 && i !== counts) assert.equal(l, plain[i], `line ${i + 1}`);
    });
  });

  it("masked: false and stale waivers add a line each, after the report line", () => {
    const lines = renderConsoleSummary(suiteResult, "isoconf-report/run", waivers, { masked: false, stale: ["H-FMT-1", "H-ECHO-1"] }).split("\n");
    assert.deepEqual(lines.slice(-3), [
      "report: isoconf-report/run/index.html (and results.tap, junit.xml, a bug report per failure)",
      MASKING_OFF,
      "waived but passing (remove the waiver): H-FMT-1, H-ECHO-1",
    ]);
    // Masked, or no stale waivers: nothing added.
    assert.equal(renderConsoleSummary(suiteResult, "isoconf-report/run", waivers, { masked: true, stale: [] }), WITH_OUT_DIR);
    const coloured = renderConsoleSummary(suiteResult, "isoconf-report/run", waivers, { colour: true, masked: false, stale: ["H-FMT-1"] }).split("\n");
    assert.deepEqual(coloured.slice(-2), [`\x1b[33m${MASKING_OFF}\x1b[39m`, "\x1b[31mwaived but passing (remove the waiver): H-FMT-1\x1b[39m"]);
  });
});
