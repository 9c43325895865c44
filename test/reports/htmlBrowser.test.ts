import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { crc32, inflateSync } from "node:zlib";
import { chromium, type Browser, type Page } from "playwright-core";
import { fileStem } from "../../reports/report.js";
import { HTML_STYLE } from "../../reports/htmlStyle.js";
import { frameLabel, provingEvents } from "../../reports/reportText.js";
import { writeRunOutput } from "../../reports/runOutput.js";
import { sequenceDiagram } from "../../reports/sequenceDiagram.js";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { referenceHostTarget } from "../../src/roles/referenceHostTarget.js";
import { type Counterexample, counterexampleOf, type PropertyResult, type SuiteResult } from "../../src/runner/suiteResult.js";
import { cardPan } from "../../src/scenario/scenario.js";
import { REGISTERED_TERMINALS } from "../../src/sim/defaults.js";
import { maskPan } from "../../src/trace/mask.js";
import { messageOf, type TraceEvent } from "../../src/trace/traceEvent.js";
import { failures, runHostSuite } from "../helpers/hostRun.js";
import { skipOrFail } from "../helpers/missingTools.js";
import { LONG_TEXT_TRACE, TEARDOWN } from "./support/longTexts.js";

/**
 * Issue 7: `index.html` opened in real headless Chromium (Debian's `chromium`, which `.ci/run`
 * installs) loads from file:// with no console error or warning and no request but itself, and
 * a screenshot shows the sequence diagram. The report is a real one: the host suite run
 * in-process against the reference host with a seeded bug, written by `writeRunOutput`.
 */

const BUG = "double-post-duplicate";
/** The property the bug violates: its counterexample has a fault (the duplicate) and evidence arrows. */
const FAILING = "H-DUP-1";
const VIEWPORT = { width: 1280, height: 800 };

/** `CHROMIUM` names the browser (and then must exist); else the usual Debian and Ubuntu paths. */
function findChromium(): { path?: string; problem?: string; maySkip?: boolean } {
  const named = process.env.CHROMIUM;
  if (named) return existsSync(named) ? { path: named } : { problem: `CHROMIUM=${named} does not exist` };
  const path = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p));
  return path ? { path } : { problem: "no Chromium at /usr/bin/chromium, chromium-browser or google-chrome, and CHROMIUM is not set", maySkip: true };
}


/**
 * The machine's network is closed: these keep Chromium from trying it (refused connections).
 * Playwright adds --headless and --no-sandbox itself, and some of the rest; it manages the
 * profile folder (a --user-data-dir here is refused), a fresh one per launch.
 */
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** An 8-bit RGB or RGBA PNG, decoded: enough of the format for Chromium's screenshots, every chunk's CRC checked. */
interface Png {
  width: number;
  height: number;
  channels: number;
  pixels: Buffer;
}

function decodePng(png: Buffer): Png {
  assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), "not a PNG: bad signature");
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  let sawEnd = false;
  for (let at = 8; at < png.length && !sawEnd; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString("latin1", at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    assert.equal(png.readUInt32BE(at + 8 + length), crc32(png.subarray(at + 4, at + 8 + length)), `PNG chunk ${type} at ${at}: bad CRC`);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = data.subarray(8, 13);
      assert.ok(depth === 8 && (colour === 2 || colour === 6) && interlace === 0, `PNG: bit depth ${depth}, colour type ${colour}, interlace ${interlace} not handled`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") sawEnd = true;
    at += 12 + length;
  }
  assert.ok(width > 0 && height > 0 && sawEnd, "PNG: no IHDR or no IEND");
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  assert.equal(raw.length, height * (stride + 1), "PNG: image data of the wrong size");
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? px[y * stride + x - channels] : 0;
      const b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels] : 0;
      let p = v;
      if (filter === 1) p = v + a;
      else if (filter === 2) p = v + b;
      else if (filter === 3) p = v + ((a + b) >> 1);
      else if (filter === 4) {
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        p = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      } else assert.equal(filter, 0, `PNG: unknown filter ${filter} on row ${y}`);
      px[y * stride + x] = p & 0xff;
    }
  }
  return { width, height, channels, pixels: px };
}

/**
 * Pixels of a region by the colours the diagram draws with (htmlStyle.ts): `ink` (dark grey to
 * black: the #1f2328 arrows and labels, anti-aliased), `hit` (#cf222e, evidence), `fault`
 * (#bf8700, the fault diamond), and `nonWhite`. A blank region has none of the first three.
 */
function inkIn(img: Png, box = { x: 0, y: 0, width: img.width, height: img.height }) {
  const counts = { ink: 0, hit: 0, fault: 0, nonWhite: 0, total: 0 };
  for (let y = box.y; y < Math.min(box.y + box.height, img.height); y++) {
    for (let x = box.x; x < Math.min(box.x + box.width, img.width); x++) {
      const i = (y * img.width + x) * img.channels;
      const [r, g, b] = [img.pixels[i], img.pixels[i + 1], img.pixels[i + 2]];
      counts.total++;
      if (r < 250 || g < 250 || b < 250) counts.nonWhite++;
      if (Math.max(r, g, b) < 160 && Math.max(r, g, b) - Math.min(r, g, b) < 40) counts.ink++;
      if (r > 170 && g < 90 && b < 100) counts.hit++;
      if (r > 150 && g > 100 && g < 170 && b < 60) counts.fault++;
    }
  }
  return counts;
}

/** The card numbers a counterexample carried, in clear (before masking): scenario cards, PAN and track fields. */
function clearPans(cx: Counterexample): string[] {
  const pans = new Set<string>();
  for (const st of cx.scenario.steps) if (st.card) pans.add(cardPan(st.card));
  for (const e of cx.trace) {
    const f = messageOf(e)?.fields ?? {};
    for (const k of ["2", "34"]) if (f[k]) pans.add(f[k]);
    for (const k of ["35", "36", "45"]) {
      const m = f[k] && /^[B%]?(\d{12,19})[=D^]/.exec(f[k]);
      if (m) pans.add(m[1]);
    }
  }
  return [...pans].filter((p) => /^\d{12,19}$/.test(p));
}

const isArrow = (e: TraceEvent) => e.dir !== "kit" && (e.kind === "frame" || e.kind === "keepalive" || e.kind === "link-error");

/** An arrow's full label as sequenceDiagram.ts makes it: `[conn] ` first when the trace has several connections. */
function arrowLabel(e: TraceEvent, trace: readonly TraceEvent[]): string {
  const conns = new Set(trace.flatMap((x) => (x.conn ? [x.conn] : [])));
  // Raced connections are lifelines of their own: their arrows need no [cN].
  const raced = trace.some((x) => x.kind === "fault" && /^race_/.test(String(x.detail?.fault)));
  return `${conns.size > 1 && !raced && e.conn ? `[${e.conn}] ` : ""}${frameLabel(e)}`;
}

/** Each `svg.seq` on the page: its width, the SUT lifeline's x, and every text's box and full text (a `<g>`'s tooltip when the text is cut). */
const DIAGRAM_TEXTS = `[...document.querySelectorAll("svg.seq")].map((svg) => ({
  width: svg.viewBox.baseVal.width,
  sutX: [...svg.querySelectorAll("line.life")].at(-1).x1.baseVal.value,
  texts: [...svg.querySelectorAll("text")].map((t) => {
    const b = t.getBBox();
    const tip = t.parentElement.localName === "g" ? t.parentElement.querySelector(":scope > title") : null;
    return { cls: t.getAttribute("class"), shown: t.textContent, full: tip ? tip.textContent : t.textContent, x: b.x, y: b.y, width: b.width, height: b.height };
  }),
}))`;

interface DiagramTexts {
  width: number;
  sutX: number;
  texts: { cls: string; shown: string; full: string; x: number; y: number; width: number; height: number }[];
}

/** No text past the diagram's edges or onto the SUT's lifeline (but the SUT's own name), no two texts on top of each other. */
function assertTextFits(d: DiagramTexts, what: string): void {
  for (const t of d.texts) {
    const right = t.x + t.width;
    assert.ok(t.x >= 0 && right <= d.width, `${what}: ${t.cls} "${t.shown}" runs past the diagram (${t.x}…${right} of ${d.width})`);
    if (t.cls !== "actor") assert.ok(right < d.sutX - 2, `${what}: ${t.cls} "${t.shown}" reaches the SUT's lifeline at x ${d.sutX}: it ends at ${right}`);
  }
  for (const [i, a] of d.texts.entries()) {
    for (const b of d.texts.slice(i + 1)) {
      const apart = a.x + a.width <= b.x + 1 || b.x + b.width <= a.x + 1 || a.y + a.height <= b.y + 1 || b.y + b.height <= a.y + 1;
      assert.ok(apart, `${what}: "${a.shown}" and "${b.shown}" overlap: ${JSON.stringify([a, b])}`);
    }
  }
}

describe("reports: index.html in headless Chromium", function () {
  this.timeout(30_000);

  let dir = "";
  let fileUrl = "";
  let browser: Browser | undefined;
  let page: Page;
  /** As run (clear card data) and as written (masked). */
  let result: SuiteResult;
  let shown: SuiteResult;
  let failing: PropertyResult;
  const consoleMessages: string[] = [];
  const pageErrors: string[] = [];
  const requests: string[] = [];
  const failedRequests: string[] = [];
  /** Taken before anything scrolls the page; `fullPageSvgBox` is the diagram's place on it. */
  let fullPage: Buffer;
  let fullPageSvgBox: { x: number; y: number; width: number; height: number };

  before(async function () {
    const found = findChromium();
    if (!found.path) {
      const install = "apt-get install chromium, as .ci/run does, or set CHROMIUM to a Chromium or Chrome binary";
      // A browser named in CHROMIUM that is not there is a typo to hear about, never a skip.
      if (!found.maySkip) throw new Error(`${found.problem}; ${install}`);
      skipOrFail(this, { tool: "Chromium", problem: found.problem!, install });
    }

    const d = builtinDialect("cup");
    result = await runHostSuite(d, referenceHostTarget(d, { bug: BUG }), { runs: 50, seed: 42 });
    failing = result.properties.find((p) => p.id === FAILING)!;
    assert.equal(failing.verdict, "fail", `--bug ${BUG} was not found by ${FAILING} in 50 scenarios (seed 42)`);
    dir = mkdtempSync(join(tmpdir(), "isoconf-html-"));
    shown = await writeRunOutput(dir, result, d, {
      runs: 50,
      responseTimeoutMs: 30_000,
      registeredTerminals: [...REGISTERED_TERMINALS],
      target: { kind: "reference", bug: BUG },
      mask: true,
      startedAt: new Date("2026-01-15T09:30:00.000Z"),
    });
    fileUrl = pathToFileURL(join(dir, "index.html")).href;

    browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS, timeout: 20_000 });
    page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    page.on("console", (m) => consoleMessages.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    page.on("request", (r) => requests.push(r.url()));
    page.on("requestfailed", (r) => failedRequests.push(`${r.url()}: ${r.failure()?.errorText}`));
    await page.goto(fileUrl, { waitUntil: "load" });

    assert.equal(await page.evaluate<number>("window.scrollY"), 0);
    fullPage = await page.screenshot({ fullPage: true, path: join(dir, "index.png") });
    const box = await page.locator(`#p-${fileStem(FAILING)} svg.seq`).boundingBox();
    assert.ok(box, `${FAILING}'s diagram is not rendered (no layout box)`);
    fullPageSvgBox = { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) };
  });

  /** A failed check keeps the report and its screenshot (`index.png`) to look at. */
  let keep = false;
  afterEach(function () {
    if (this.currentTest?.state === "failed") keep = true;
  });

  after(async () => {
    await browser?.close();
    if (keep) process.stderr.write(`      the report and its screenshot are kept in ${dir}\n`);
    else if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the title, summary and property table name the run and the failing property", async () => {
    const failed = shown.properties.filter((p) => p.verdict === "fail").length;
    assert.equal(await page.title(), `isoconf: host suite, ${failed} failed of ${shown.properties.length}`);
    assert.match(await page.locator("h1").innerText(), /host suite/);
    assert.equal(await page.locator("#summary .counts li.v-fail").innerText(), `${failed} failed`);
    const row = page.locator("#properties tbody tr", { has: page.locator(`a[href="#p-${fileStem(FAILING)}"]`) });
    assert.equal(await row.count(), 1, `no row linking to ${FAILING}'s section`);
    assert.equal(await row.locator("td").first().innerText(), FAILING);
    assert.equal(await row.locator(".badge").innerText(), "fail");
    const heading = page.locator(`#p-${fileStem(FAILING)} h2`);
    assert.ok(await heading.isVisible());
    assert.ok((await heading.innerText()).startsWith(`${FAILING} ${failing.title}`), "the section's heading");
  });

  it("each counterexample's sequence diagram is visible and draws its whole trace", async () => {
    const cxs = failures(shown);
    assert.equal(await page.locator("svg.seq").count(), cxs.length, "one diagram per counterexample");
    for (const p of cxs) {
      const cx = p.counterexample!;
      const svg = page.locator(`#p-${fileStem(p.id)} svg.seq`);
      assert.ok(await svg.isVisible(), `${p.id}: diagram not visible`);
      const box = (await svg.boundingBox())!;
      assert.ok(box.width >= 700 && box.height > 26 * cx.trace.length, `${p.id}: diagram box ${box.width}×${box.height}`);
      assert.equal(await svg.locator("title").textContent(), `Sequence of the counterexample for ${p.id}`);
      // isoconf, or one lifeline per connection where the counterexample raced copies over several; the SUT last.
      const actors = await svg.locator("text.actor").allTextContents();
      const raced = cx.trace.some((e) => e.kind === "fault" && /^race_/.test(String(e.detail?.fault)));
      if (raced) assert.ok(actors.length >= 3 && actors.slice(0, -1).every((a) => /^isoconf c\d+$/.test(a)) && actors.at(-1) === "SUT", actors.join(", "));
      else assert.deepEqual(actors, ["isoconf", "SUT"]);

      const proving = provingEvents(cx);
      const arrows = cx.trace.filter(isArrow);
      const count = (sel: string) => svg.locator(sel).count();
      assert.equal(await count("text.num"), cx.trace.length, `${p.id}: a row per trace event`);
      assert.equal(await count("line.msg"), arrows.length, `${p.id}: an arrow per frame`);
      assert.equal(await count("line.msg.hit"), arrows.filter((e) => proving.has(e.seq)).length, `${p.id}: evidence arrows`);
      assert.equal(await count("path.fault"), cx.trace.filter((e) => e.kind === "fault").length, `${p.id}: fault marks`);
      assert.equal(await count("circle.timeout"), cx.trace.filter((e) => e.kind === "timeout").length, `${p.id}: timeout marks`);
      assert.equal(await count("line.step"), cx.trace.filter((e) => e.kind === "step").length, `${p.id}: step separators`);
      const labels = await svg.locator("text.label").evaluateAll((ts) => ts.map((t) => (t.parentElement?.localName === "g" ? t.parentElement.querySelector(":scope > title")?.textContent : t.textContent)));
      assert.deepEqual(labels, arrows.map((e) => arrowLabel(e, cx.trace)), `${p.id}: arrow labels (in full in the tooltip of one cut short)`);

      // Drawn, not just present: every arrow and label has a box (the labels' font is there).
      for (const sel of ["line.msg", "text.label", "path.fault"]) {
        for (const el of await svg.locator(sel).all()) {
          const b = await el.boundingBox();
          assert.ok(b && (b.width > 0 || b.height > 0), `${p.id}: ${sel} has no box`);
          if (sel === "text.label") assert.ok(b.width > 20 && b.height > 5, `${p.id}: label box ${b.width}×${b.height}`);
        }
      }
    }
    // The failing property's diagram is not a trivial case of the above.
    const cx = counterexampleOf(failing)!;
    assert.ok(cx.trace.some((e) => e.kind === "fault") && cx.trace.filter(isArrow).some((e) => provingEvents(cx).has(e.seq)), `${FAILING}'s trace has no fault or no evidence arrow`);
  });

  it("no text of a diagram runs past its edges or onto the SUT's lifeline, nor onto other text: a long note wraps", async () => {
    const diagrams = await page.evaluate<DiagramTexts[]>(DIAGRAM_TEXTS);
    const cxs = failures(shown);
    assert.equal(diagrams.length, cxs.length);
    diagrams.forEach((d, i) => assertTextFits(d, cxs[i].id));
    // Not vacuous: every host scenario ends with the teardown note, longer than a line.
    const teardown = diagrams[0].texts.find((t) => t.shown.startsWith("note — teardown:"));
    assert.ok(teardown && teardown.shown.replace(/\s+/g, "") === `note — ${TEARDOWN}`.replace(/\s+/g, "") && teardown.height > 20, `the teardown note, whole on two lines: ${JSON.stringify(teardown)}`);

    // Every kind of row with more text than it has room for, in a page of its own.
    const other = await browser!.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    try {
      await other.setContent(`<!doctype html><html><head><style>${HTML_STYLE}</style></head><body>${sequenceDiagram(LONG_TEXT_TRACE, new Set([3]), "sd0", "long texts")}</body></html>`);
      const [d] = await other.evaluate<DiagramTexts[]>(DIAGRAM_TEXTS);
      assertTextFits(d, "long texts");
      const cut = d.texts.filter((t) => t.shown.endsWith("…"));
      assert.ok(cut.length >= 4, `long texts cut short: ${JSON.stringify(cut)}`);
      for (const t of cut) assert.ok(t.full.length > t.shown.length, `${t.cls} "${t.shown}": no tooltip with the full text`);
    } finally {
      await other.close();
    }
  });

  it("a full-page screenshot is a PNG of the whole page, with the diagram on it", async () => {
    assert.ok(fullPage.length > 50_000, `screenshot of ${fullPage.length} bytes`);
    const img = decodePng(fullPage);
    const height = await page.evaluate<number>("document.documentElement.scrollHeight");
    assert.deepEqual([img.width, img.height], [VIEWPORT.width, height]);
    const ink = inkIn(img, fullPageSvgBox);
    assert.ok(ink.ink > 1500 && ink.hit > 1000 && ink.fault > 20, `the diagram's place on the page looks empty: ${JSON.stringify(ink)}`);
  });

  it("an element screenshot of the diagram is not blank: arrows, evidence in red, the fault mark", async () => {
    const svg = page.locator(`#p-${fileStem(FAILING)} svg.seq`);
    const png = await svg.screenshot();
    const img = decodePng(png);
    const box = (await svg.boundingBox())!;
    assert.ok(Math.abs(img.width - box.width) <= 1 && Math.abs(img.height - box.height) <= 1, `${img.width}×${img.height} for a ${box.width}×${box.height} box`);
    const ink = inkIn(img);
    // 4 evidence arrows 2.6 px × 460 px; lines, labels and the actors' text in ink.
    assert.ok(ink.nonWhite > ink.total * 0.02, `mostly blank: ${JSON.stringify(ink)}`);
    assert.ok(ink.ink > 1500, `no arrows or labels: ${JSON.stringify(ink)}`);
    assert.ok(ink.hit > 1000, `no evidence arrows in red: ${JSON.stringify(ink)}`);
    assert.ok(ink.fault > 20, `no fault mark: ${JSON.stringify(ink)}`);
    // Control: the same measure finds nothing in a blank area of the same size (the page, hidden).
    const blank = decodePng(await page.screenshot({ clip: { x: 0, y: 0, width: Math.round(box.width), height: Math.round(box.height) }, style: "body { visibility: hidden }" }));
    const none = inkIn(blank);
    assert.deepEqual([none.ink, none.hit, none.fault], [0, 0, 0], `the blank control is not blank: ${JSON.stringify(none)}`);
  });

  it("no card number shows in clear, in the text or in the opened frames and hex dumps", async () => {
    const pans = failures(result).flatMap((p) => clearPans(p.counterexample!));
    assert.ok(pans.length > 0, "the counterexamples carry no card: nothing to check");
    // Closed <details> are not rendered, so not in innerText: open every frame first.
    const opened = await page.evaluate<number>(`(() => { const all = document.querySelectorAll("details"); all.forEach((d) => { d.open = true; }); return all.length; })()`);
    assert.ok(opened > 0);
    const text = await page.evaluate<string>("document.body.innerText");
    const all = await page.evaluate<string>("document.documentElement.textContent");
    const digitRuns: string[] = text.match(/(?<!\d)\d{12,19}(?!\d)/g) ?? [];
    for (const pan of pans) {
      assert.ok(!digitRuns.includes(pan) && !text.includes(pan), `${pan} in clear in the rendered text`);
      assert.ok(!all.includes(pan), `${pan} in clear in the page's text`);
      // A BCD PAN's hex is its own digits: a hex dump with spaces gone must not spell it.
      assert.ok(!text.replace(/\s+/g, "").includes(pan), `${pan} in clear in a hex dump`);
      assert.ok(!readFileSync(join(dir, "index.html"), "utf8").includes(pan), `${pan} in clear in index.html`);
    }
    // Not vacuous: the masked form of the failing property's card is on screen.
    const masked = maskPan(clearPans(counterexampleOf(failing)!)[0]);
    assert.ok(text.includes(masked), `${masked} not in the rendered text`);
  });

  // Last, so it covers everything the tests above did to the page (opening details, screenshots).
  it("loads from file:// with no console error or warning, no page error, and no request but the file itself", async () => {
    const bad = consoleMessages.filter((m) => m.startsWith("error:") || m.startsWith("warning:"));
    assert.deepEqual(bad, [], "console errors or warnings");
    assert.deepEqual(pageErrors, [], "page errors");
    assert.deepEqual(requests, [fileUrl], "requests");
    assert.deepEqual(failedRequests, [], "failed requests");
    assert.deepEqual(consoleMessages, [], "console messages of any kind (the page has no script)");
  });
});
