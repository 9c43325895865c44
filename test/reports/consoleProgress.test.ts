import assert from "node:assert/strict";
import { useColour } from "../../reports/ansi.js";
import { clock, createConsoleProgress, type ConsoleProgressOptions } from "../../reports/consoleProgress.js";
import type { HostScenario, HostStep } from "../../src/scenario/scenario.js";
import type { Progress, RunEvent } from "../../src/runner/runSuite.js";

/** The console progress reporter against a fake clock and a capturing stream. */

/** A reporter whose clock the test sets, and everything it wrote, one string per write. */
function harness(options: Partial<ConsoleProgressOptions> = {}) {
  let t = 0;
  const writes: string[] = [];
  const c = createConsoleProgress({ write: (s) => writes.push(s), tty: true, columns: 80, colour: false, mode: "normal", now: () => t, ...options });
  return { c, writes, at: (ms: number) => void (t = ms), text: () => writes.join("") };
}

const search = (scenarios: number, failed = 0, total = 100): Progress => ({ phase: "search", scenarios, total, failed, properties: 10 });
const shrink = (scenarios: number, property = "H-REV-1", total = 100): Progress => ({ phase: "shrink", scenarios, total, property, failed: 1, properties: 10 });
/** A host scenario on TERM0001 (cards left out: the console line shows none). */
const hostScenario = (...steps: HostStep[]): HostScenario => ({ role: "host", terminals: ["TERM0001"], steps });
const found: RunEvent = { kind: "found", property: "H-REV-1", verdict: "fail", after: 36, steps: 10 };
const shrunk: RunEvent = { kind: "shrunk", property: "H-REV-1", from: 10, to: 2, runs: 55, ms: 157 };

const SGR = /\x1b\[\d+m/g;

/** What a terminal shows after `text`: `\r` to column 0, `\x1b[K` clears to the end, `\n` a new line. */
function screen(text: string): string[] {
  const lines = [""];
  let col = 0;
  for (const token of text.replace(SGR, "").split(/(\r|\n|\x1b\[K)/)) {
    const row = lines.length - 1;
    if (token === "\r") col = 0;
    else if (token === "\n") (lines.push(""), (col = 0));
    else if (token === "\x1b[K") lines[row] = lines[row].slice(0, col);
    else if (token) {
      assert.ok(!token.includes("\x1b"), `an unexpected escape code in ${JSON.stringify(token)}`);
      lines[row] = lines[row].slice(0, col).padEnd(col) + token + lines[row].slice(col + token.length);
      col += token.length;
    }
  }
  return lines;
}

/** Scenarios `from`..`to` reported `every` ms apart, the first at `start`. */
function searchRun(h: ReturnType<typeof harness>, from: number, to: number, start: number, every: number) {
  for (let k = from; k <= to; k++) {
    h.at(start + (k - from) * every);
    h.c.progress(search(k));
  }
}

describe("reports/consoleProgress", () => {
  it("clock: m:ss, and h:mm:ss past an hour", () => {
    assert.deepEqual([0, 999, 12_000, 75_500, 3_599_000, 3_723_000].map(clock), ["0:00", "0:00", "0:12", "1:15", "59:59", "1:02:03"]);
  });

  it("a terminal: one line, redrawn in place with \\r and \\x1b[K, the exact bar", () => {
    const h = harness();
    h.at(12_000);
    h.c.progress(search(45));
    // 79 usable columns: 57 of text leave 19 for the bar, 45 % of it filled.
    assert.deepEqual(h.writes, [`\r[${"#".repeat(9)}${"·".repeat(10)}] 45/100 scenarios  searching 10 properties  0 failed  0:12\x1b[K`]);
  });

  it("redraws at most every 100 ms, however often progress comes; a new phase at once", () => {
    const h = harness();
    h.c.progress(search(1));
    for (let k = 2; k <= 49; k++) {
      h.at(k * 2); // 500 scenarios a second, as in-process runs go
      h.c.progress(search(k));
    }
    assert.equal(h.writes.length, 1, "nothing within 100 ms of the first draw");
    h.at(100);
    h.c.progress(search(50));
    assert.equal(h.writes.length, 2);
    assert.match(h.writes[1], / 50\/100 scenarios /);
    h.at(101);
    h.c.progress(shrink(50));
    assert.equal(h.writes.length, 3, "shrinking shows at once");
    assert.match(h.writes[2], /shrinking H-REV-1/);
    h.at(150);
    h.c.progress(shrink(50));
    assert.equal(h.writes.length, 3);
  });

  it("the bar line fits the columns, never wraps, and drops the bar before the text", () => {
    for (const columns of [12, 20, 40, 60, 80, 100, 200]) {
      const h = harness({ columns, colour: true });
      h.at(600_000);
      h.c.progress(search(12_345, 3, 100_000));
      h.at(700_000);
      h.c.progress({ ...shrink(12_345, "H-SOMETHING-LONG-12", 100_000), failed: 3 });
      for (const w of h.writes) {
        assert.ok(!w.includes("\n"), "one line");
        const shown = screen(w);
        assert.ok(shown[0].length <= columns - 1, `${columns} columns: ${JSON.stringify(shown[0])}`);
      }
      const last = screen(h.writes.at(-1)!)[0];
      if (columns >= 100) assert.match(last, /^\[#+·+\] 12345\/100000 scenarios  shrinking H-SOMETHING-LONG-12  3 failed  11:40$/);
      if (columns === 80) assert.equal(last, "12345/100000 scenarios  shrinking H-SOMETHING-LONG-12  3 failed  11:40", "no room for a bar");
      if (columns === 40) assert.equal(last, "12345/100000 scenarios  shrinking H-SO…");
    }
  });

  it("the terminal's width can change: columns as a getter", () => {
    let columns = 100;
    const h = harness({ columns: () => columns });
    h.c.progress(search(1));
    columns = 30;
    h.at(200);
    h.c.progress(search(2));
    assert.ok(screen(h.writes[1])[0].length <= 29);
    assert.ok(screen(h.writes[0])[0].length > 29);
  });

  it("estimates the time left from the search rate: 50 of 100 done in 10 s is ~0:10 left", () => {
    const h = harness({ columns: 120 });
    searchRun(h, 1, 51, 0, 200); // scenario k starts at (k-1)·200 ms: 50 done by 10 s
    const bar = screen(h.text()).at(-1)!;
    assert.match(bar, / 51\/100 scenarios  searching 10 properties  0 failed  0:10  ~0:10 left$/);
  });

  it("no estimate before a few scenarios or before a second of searching", () => {
    const h = harness();
    searchRun(h, 1, 5, 0, 2000); // 4 done in 8 s: too few
    assert.doesNotMatch(h.text(), /left/);
    const fast = harness();
    searchRun(fast, 1, 50, 0, 15); // 49 done in 0.735 s: too short
    assert.doesNotMatch(fast.text(), /left/);
    searchRun(fast, 51, 80, 750, 15);
    assert.match(screen(fast.text()).at(-1)!, /~0:01 left$/);
  });

  it("no estimate while shrinking or re-running, and their time does not slow the estimate", () => {
    const h = harness({ columns: 120 });
    searchRun(h, 1, 51, 0, 200);
    h.at(10_200);
    h.c.progress({ phase: "flake-check", scenarios: 51, total: 100, failed: 0, properties: 10 });
    assert.match(screen(h.text()).at(-1)!, /re-running a failure  0 failed  0:10$/);
    for (let t = 10_400; t <= 70_000; t += 200) {
      h.at(t);
      h.c.progress(shrink(51));
      assert.doesNotMatch(screen(h.text()).at(-1)!, /left/);
    }
    assert.match(screen(h.text()).at(-1)!, /shrinking H-REV-1  1 failed  1:10$/);
    h.at(70_200);
    h.c.progress(search(52, 1));
    // 51 searched in 10.2 s: 49 more take 9.8 s. Counting the minute of shrinking would say ~1:08.
    assert.match(screen(h.text()).at(-1)!, /52\/100 scenarios  searching 10 properties  1 failed  1:10  ~0:10 left$/);
  });

  it("events print as their own lines above the bar, which is redrawn under them", () => {
    const h = harness();
    h.at(12_000);
    h.c.progress(search(36));
    h.c.event(found);
    h.at(12_500);
    h.c.progress(shrink(36));
    h.c.event(shrunk);
    assert.deepEqual(screen(h.text()), [
      "FAIL H-REV-1   found after 36 scenario(s), 10 step(s)",
      "FAIL H-REV-1   shrunk from 10 to 2 step(s) in 55 run(s), 0.2 s",
      `[${"#".repeat(9)}${"·".repeat(16)}] 36/100 scenarios  shrinking H-REV-1  1 failed  0:12`,
    ]);
    h.c.done();
    assert.equal(h.writes.at(-1), "\r\x1b[K");
    assert.deepEqual(screen(h.text()).at(-1), "", "done() leaves the cursor on an empty line for the summary");
  });

  it("done() on a terminal: nothing to clear when nothing was drawn; nothing written after it", () => {
    const h = harness();
    h.c.done();
    assert.deepEqual(h.writes, []);
    const after = harness();
    after.c.progress(search(1));
    after.c.done();
    const n = after.writes.length;
    after.at(5000);
    after.c.progress(search(2));
    after.c.event(found);
    after.c.tick();
    after.c.done();
    assert.equal(after.writes.length, n);
  });

  it("verbose on a terminal: a line per scenario above the bar", () => {
    const h = harness({ mode: "verbose" });
    h.c.progress(search(1));
    h.c.event({ kind: "scenario", index: 1, scenario: hostScenario({ op: "purchase", terminal: 0, amount: 100 }, { op: "refund", terminal: 0, amount: 100, fault: { kind: "drop" } }) });
    assert.deepEqual(screen(h.text()), ["scenario 1/100: TERM0001 purchase(1.00); TERM0001 refund(1.00)+drop", `[${"·".repeat(20)}] 1/100 scenarios  searching 10 properties  0 failed  0:00`]);
  });

  it("not a terminal, normal: only the found and shrunk lines, no \\r and no escape codes", () => {
    const h = harness({ tty: false });
    searchRun(h, 1, 36, 0, 1000);
    h.c.event({ kind: "scenario", index: 36, scenario: hostScenario({ op: "echo", terminal: 0 }) });
    h.c.event(found);
    h.c.event({ kind: "found", property: "H-ECHO-1", verdict: "flaky", after: 40, steps: 1 });
    h.c.progress(shrink(36));
    h.c.tick();
    h.c.event(shrunk);
    h.c.done();
    assert.equal(
      h.text(),
      "FAIL H-REV-1   found after 36 scenario(s), 10 step(s)\n" +
        "FLKY H-ECHO-1  found after 40 scenario(s), 1 step(s) (flaky: a re-run passed)\n" +
        "FAIL H-REV-1   shrunk from 10 to 2 step(s) in 55 run(s), 0.2 s\n",
    );
  });

  it("not a terminal, normal: a status line every minute on a long run, so the CI log never goes silent for long", () => {
    const h = harness({ tty: false });
    for (let k = 1; k <= 70; k++) {
      h.at((k - 1) * 2000);
      h.c.progress(search(k));
      h.c.tick();
    }
    assert.deepEqual(h.text().split("\n"), [
      "31/100 scenarios, searching 10 properties, 0 failed, 1:00 elapsed, ~2:20 left",
      "61/100 scenarios, searching 10 properties, 0 failed, 2:00 elapsed, ~1:20 left",
      "",
    ]);
  });

  it("not a terminal, verbose: a line per scenario and a heartbeat at most every 30 s", () => {
    const h = harness({ tty: false, mode: "verbose" });
    for (let k = 1; k <= 40; k++) {
      h.at((k - 1) * 2000);
      h.c.progress(search(k));
      h.c.event({ kind: "scenario", index: k, scenario: hostScenario({ op: "purchase", terminal: 0, amount: 100 }) });
      h.c.tick();
    }
    const lines = h.text().split("\n");
    assert.equal(lines.pop(), "", "whole lines only");
    assert.ok(!/[\r\x1b]/.test(h.text()));
    assert.equal(lines.filter((l) => l.startsWith("scenario ")).length, 40);
    assert.equal(lines[0], "scenario 1/100: TERM0001 purchase(1.00)");
    const beats = lines.filter((l) => !l.startsWith("scenario "));
    // 0..78 s: beats at 30 s and 60 s (scenarios 16 and 31), 15 scenarios done in 30 s, 30 in 60 s.
    assert.deepEqual(beats, [
      "16/100 scenarios, searching 10 properties, 0 failed, 0:30 elapsed, ~2:50 left",
      "31/100 scenarios, searching 10 properties, 0 failed, 1:00 elapsed, ~2:20 left",
    ]);
    assert.ok(lines.indexOf(beats[0]) < lines.indexOf("scenario 16/100: TERM0001 purchase(1.00)"), "the heartbeat comes with the progress, before the scenario line");
  });

  it("quiet writes nothing, on a terminal or not", () => {
    for (const tty of [true, false]) {
      const h = harness({ tty, mode: "quiet" });
      searchRun(h, 1, 60, 0, 1000);
      h.c.event({ kind: "scenario", index: 60, scenario: hostScenario({ op: "echo", terminal: 0 }) });
      h.c.event(found);
      h.c.progress(shrink(60));
      h.c.event(shrunk);
      h.c.tick();
      h.c.done();
      assert.deepEqual(h.writes, []);
    }
  });

  it("colour off: no colour codes anywhere, and on a terminal \\r and \\x1b[K are the only controls", () => {
    const drive = (h: ReturnType<typeof harness>) => {
      searchRun(h, 1, 40, 0, 500);
      h.c.event(found);
      h.c.progress({ phase: "flake-check", scenarios: 40, total: 100, failed: 1, properties: 10 });
      h.c.progress(shrink(40));
      h.c.event(shrunk);
      h.c.done();
    };
    for (const tty of [true, false]) {
      const plain = harness({ tty, mode: "verbose" });
      drive(plain);
      const text = plain.text();
      assert.ok(!text.includes("\x1b[") || tty, "no escape code off a terminal");
      assert.doesNotMatch(text, SGR);
      assert.doesNotMatch(text.replaceAll("\r", "").replaceAll("\x1b[K", "").replaceAll("\n", ""), /[\x00-\x1f\x7f]/);
      // Colour on: the same text once the colour codes are taken out, and there are some.
      const coloured = harness({ tty, mode: "verbose", colour: true });
      drive(coloured);
      assert.match(coloured.text(), SGR);
      assert.equal(coloured.text().replace(SGR, ""), text);
      if (!tty) assert.ok(!/\r|\x1b\[K/.test(coloured.text()), "colour forced off a terminal: still no \\r");
    }
  });

  it("tick() moves the clock on a terminal while a slow scenario runs", () => {
    const h = harness();
    searchRun(h, 1, 11, 0, 10_000); // a device: 10 s a scenario
    h.at(105_000);
    h.c.tick();
    // No room at 80 columns for the activity beside the estimate: the bar stays, `searching` goes.
    assert.equal(screen(h.text()).at(-1)!, `[${"#".repeat(3)}${"·".repeat(27)}] 11/100 scenarios  0 failed  1:45  ~14:55 left`);
    h.at(105_050);
    const n = h.writes.length;
    h.c.tick();
    assert.equal(h.writes.length, n, "ticks are throttled too");
  });

  it("useColour: NO_COLOR wins, then FORCE_COLOR, then whether the stream is a terminal", () => {
    const table: Array<[boolean | undefined, Record<string, string>, boolean]> = [
      [true, {}, true],
      [false, {}, false],
      [undefined, {}, false],
      [true, { NO_COLOR: "1" }, false],
      [true, { NO_COLOR: "" }, true],
      [false, { FORCE_COLOR: "1" }, true],
      [false, { FORCE_COLOR: "3" }, true],
      [false, { FORCE_COLOR: "" }, true],
      [false, { FORCE_COLOR: "0" }, false],
      [true, { FORCE_COLOR: "0" }, false],
      [true, { FORCE_COLOR: "false" }, false],
      [false, { NO_COLOR: "1", FORCE_COLOR: "1" }, false],
    ];
    for (const [isTTY, env, expected] of table) assert.equal(useColour({ isTTY }, env), expected, `isTTY ${isTTY}, ${JSON.stringify(env)}`);
  });
});
