import assert from "node:assert/strict";
import { sequenceDiagram } from "../../reports/sequenceDiagram.js";
import { LONG_TEXT_TRACE, TEARDOWN } from "./support/longTexts.js";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { referenceHostTarget } from "../../src/roles/referenceHostTarget.js";
import { counterexampleOf } from "../../src/runner/suiteResult.js";
import { keptHostTarget } from "../helpers/keptHost.js";
import { REGISTERED_TERMINALS, UNREGISTERED_TERMINAL } from "../../src/sim/defaults.js";
import { runHostSuite } from "../helpers/hostRun.js";

const unescape = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

interface Line {
  cssClass: string;
  text: string;
  /** Estimated box: left and right edges, from the text's anchor; top and bottom from its baseline. */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** One em of the diagram's 11 px monospace font, and the usual monospace advance (0.6 em). */
const FONT_PX = 11;
const ADVANCE = 0.6 * FONT_PX;

/** Every line of text in the SVG with its estimated box, and each `<text>` with the tooltip its `<g>` gives it. */
function layout(svg: string): { lines: Line[]; texts: { cssClass: string; shown: string[]; tooltip?: string }[] } {
  const lines: Line[] = [];
  const texts: { cssClass: string; shown: string[]; tooltip?: string }[] = [];
  for (const m of svg.matchAll(/(?:<g><title>([^<]*)<\/title>)?<text class="([^"]*)" x="([\d.]+)" y="([\d.]+)">(.*?)<\/text>/g)) {
    const [, tooltip, cssClass, x, y, body] = m;
    const parts = body.split(/<tspan x="[\d.]+" dy="([\d.]+)">/);
    const shown: string[] = [];
    let baseline = Number(y);
    parts.forEach((part, i) => {
      if (i % 2 === 1) return void (baseline += Number(part));
      const text = unescape(part.replace(/<\/tspan>$/, ""));
      shown.push(text);
      const width = [...text].length * ADVANCE;
      const middle = /\b(label|actor)\b/.test(cssClass);
      const left = middle ? Number(x) - width / 2 : Number(x);
      lines.push({ cssClass, text, left, right: left + width, top: baseline - 0.8 * FONT_PX, bottom: baseline + 0.25 * FONT_PX });
    });
    texts.push({ cssClass, shown, tooltip: tooltip === undefined ? undefined : unescape(tooltip) });
  }
  return { lines, texts };
}

function geometry(svg: string) {
  const [, width, height] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)!.map(Number);
  const lifelines = [...svg.matchAll(/<line class="life" x1="([\d.]+)"/g)].map((m) => Number(m[1]));
  return { width, height, sutX: lifelines[1] };
}

describe("reports: the sequence diagram's text fits its place", () => {
  const svg = sequenceDiagram(LONG_TEXT_TRACE, new Set([3, 4]), "sd0", "long texts");
  const { width, height, sutX } = geometry(svg);
  const { lines, texts } = layout(svg);

  it("no text runs past the diagram's edges, nor across the SUT's lifeline but the SUT's name", () => {
    assert.equal(sutX, 650);
    for (const l of lines) {
      assert.ok(l.left >= 0 && l.right <= width && l.top >= 0 && l.bottom <= height, `${l.cssClass} "${l.text}" leaves the diagram: ${JSON.stringify(l)}`);
      if (l.text === "SUT") continue;
      assert.ok(l.right < sutX - 2, `${l.cssClass} "${l.text}" reaches the SUT's lifeline (x ${sutX}): it ends at ${l.right}`);
    }
  });

  it("no two lines of text overlap: a row grows with a note's second line", () => {
    for (const [i, a] of lines.entries()) {
      for (const b of lines.slice(i + 1)) {
        const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
        assert.ok(apart, `"${a.text}" and "${b.text}" overlap: ${JSON.stringify([a, b])}`);
      }
    }
  });

  it("a note too long for one line wraps onto a second, whole: the teardown note", () => {
    const teardown = texts.find((t) => t.shown.join(" ") === `note — ${TEARDOWN}`);
    assert.ok(teardown, `the teardown note, whole, in: ${JSON.stringify(texts.map((t) => t.shown))}`);
    assert.equal(teardown.shown.length, 2);
    assert.equal(teardown.tooltip, undefined, "nothing hidden, no tooltip");
  });

  it("what is still cut ends in … and keeps its full text in a tooltip; what is whole has none", () => {
    const cut = texts.filter((t) => t.shown.some((s) => s.endsWith("…")));
    assert.deepEqual(
      cut.map((t) => t.cssClass),
      ["step", "label bad hit", "event", "timeout", "event"],
    );
    for (const t of cut) {
      assert.ok(t.tooltip !== undefined && t.tooltip.length > t.shown.join("").length, `${t.cssClass} "${t.shown.join(" ")}" has no tooltip with the full text`);
      const shown = t.shown.map((s) => s.replace(/…$/, "")).join(" ");
      assert.ok(t.tooltip.replace(/\s+/g, "").startsWith(shown.replace(/\s+/g, "")), `the tooltip "${t.tooltip}" is the text "${shown}" in full`);
    }
    assert.ok(texts.filter((t) => t.tooltip === undefined).every((t) => !t.shown.some((s) => s.endsWith("…"))));
    assert.ok(texts.some((t) => t.cssClass === "label bad" && t.shown[0].startsWith("[c2] undecodable") && t.tooltip === undefined));
    const word = texts.find((t) => t.shown[0].startsWith("note — a-single-word"));
    assert.ok(word && word.shown.length === 2 && word.tooltip === undefined, `a word longer than a line is broken, not cut: ${JSON.stringify(word)}`);
  });
});

describe("reports/sequenceDiagram: raced copies over two connections", () => {
  it("each raced connection is a lifeline of its own, its frames drawn from it, and no two lines of text overlap", async () => {
    const cup = builtinDialect("cup");
    const r = await runHostSuite(cup, referenceHostTarget(cup, { bug: "racy-duplicate-check" }), { runs: 50, seed: 42, only: ["H-DUP-1"] });
    const cx = counterexampleOf(r.properties.find((p) => p.id === "H-DUP-1")!)!;
    const svg = sequenceDiagram(cx.trace, new Set(), "race", "raced");
    const actors = [...svg.matchAll(/<text class="actor" x="([\d.]+)" y="[\d.]+">([^<]*)<\/text>/g)].map((m) => [m[2], Number(m[1])] as const);
    assert.deepEqual(actors.map(([name]) => name), ["isoconf c1", "isoconf c2", "SUT"]);
    const starts = new Set([...svg.matchAll(/<line class="msg[^"]*" x1="([\d.]+)"/g)].map((m) => Number(m[1])));
    for (const [, x] of actors) assert.ok(starts.has(x), `a frame is drawn from or to the lifeline at ${x}`);
    const { lines } = layout(svg);
    for (const [i, a] of lines.entries()) {
      for (const b of lines.slice(i + 1)) assert.ok(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top, `"${a.text}" and "${b.text}" overlap`);
    }
  });
});

describe("reports/sequenceDiagram: a failure across the run, with an earlier scenario's frames", () => {
  it("the earlier scenario is a lifeline of its own, its frames drawn from it; this scenario's arrows still name their connections", async () => {
    const cup = builtinDialect("cup");
    const r = await runHostSuite(cup, keptHostTarget(cup, "rrn-wraps"), { runs: 200, seed: 42, lanes: { lanes: 8, registered: REGISTERED_TERMINALS, unregistered: [UNREGISTERED_TERMINAL] }, only: ["H-RRN-1"] });
    const cx = counterexampleOf(r.properties.find((p) => p.id === "H-RRN-1")!)!;
    const svg = sequenceDiagram(cx.trace, new Set(cx.violations[0].events), "across", "across");
    const actors = [...svg.matchAll(/<text class="actor" x="([\d.]+)" y="[\d.]+">([^<]*)<\/text>/g)].map((m) => [m[2], Number(m[1])] as const);
    assert.deepEqual(actors.map(([name]) => name.replace(/\d+$/, "N")), ["isoconf", "scenario N", "SUT"]);
    const starts = new Set([...svg.matchAll(/<line class="msg[^"]*" x1="([\d.]+)"/g)].map((m) => Number(m[1])));
    for (const [, x] of actors) assert.ok(starts.has(x), `a frame is drawn from or to the lifeline at ${x}`);
    assert.match(svg, />\[c1\] 0800 STAN/);
  });
});

