import type { Dialect } from "../src/iso8583/dialect.js";
import { decodeErrorOf, type FrameEvent, messageOf, type TraceEvent } from "../src/trace/traceEvent.js";
import { html } from "./escape.js";
import { hexDump } from "./hexDump.js";
import { DIRECTION_TEXT, eventSummary, frameLabel, millis } from "./reportText.js";
import { responseMeaning } from "./responseMeaning.js";

/**
 * The wire log of a counterexample for the HTML report: a table with a row per trace event
 * (anchored `ID-eSEQ`, evidence rows highlighted), then each frame's decoded fields and hex
 * bytes in a `<details>` (anchored `ID-fSEQ`). Everything shown is the masked trace.
 */
export function wireLogHtml(trace: readonly TraceEvent[], proving: ReadonlySet<number>, dialect: Dialect, id: string): string {
  const head = "<tr><th>#</th><th>t (ms)</th><th>step</th><th>dir</th><th>conn</th><th>MTI</th><th>STAN</th><th>39</th><th>key fields / decode error / event</th></tr>";
  const rows = trace.map((e) => {
    const m = messageOf(e);
    const f = m?.fields ?? {};
    const seq = hasBytes(e) ? `<a href="#${id}-f${e.seq}">${e.seq}</a>` : String(e.seq);
    const rc = f["39"] !== undefined ? `<abbr title="${html(responseMeaning(dialect, "39", f["39"]) ?? "")}">${html(f["39"])}</abbr>` : "";
    const cells = [seq, millis(e.t), e.step !== undefined && e.step >= 0 ? String(e.step + 1) : "", html(DIRECTION_TEXT[e.dir]), html(e.conn ?? ""), html(m?.mti ?? ""), html(f["11"] ?? ""), rc, html(eventSummary(e))];
    return `<tr id="${id}-e${e.seq}" class="${rowClass(e, proving)}">${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`;
  });
  return `<table class="wire">\n<thead>${head}</thead>\n<tbody>\n${rows.join("\n")}\n</tbody>\n</table>`;
}

export function framesHtml(trace: readonly TraceEvent[], proving: ReadonlySet<number>, dialect: Dialect, id: string): string {
  return trace
    .filter(hasBytes)
    .map((e) => {
      const size = e.bytes ? `, ${e.bytes.length / 2} bytes` : "";
      const summary = `#${e.seq} ${DIRECTION_TEXT[e.dir]} ${frameLabel(e)}${size}`;
      const parts = [`<details id="${id}-f${e.seq}" class="${rowClass(e, proving)}"><summary>${html(summary)}</summary>`];
      if (e.kind === "frame" && e.decodeError) parts.push(`<p class="bad">${html(eventSummary(e))}</p>`);
      if (e.kind === "frame" && e.message) parts.push(fieldsTable(e.message, dialect));
      if (e.bytes) parts.push(`<pre class="hex">${html(hexDump(e.bytes))}</pre>`);
      parts.push("</details>");
      return parts.join("\n");
    })
    .join("\n");
}

/** Frames and link errors: the events with bytes to show. */
const hasBytes = (e: TraceEvent): e is FrameEvent | Extract<TraceEvent, { kind: "link-error" }> => e.kind === "frame" || e.kind === "link-error";

function rowClass(e: TraceEvent, proving: ReadonlySet<number>): string {
  const kinds = [`k-${e.kind}`];
  if (decodeErrorOf(e) || e.kind === "link-error") kinds.push("bad");
  if (proving.has(e.seq)) kinds.push("hit");
  return kinds.join(" ");
}

function fieldsTable(m: NonNullable<FrameEvent["message"]>, dialect: Dialect): string {
  const rows = [`<tr><td>MTI</td><td>Message type indicator</td><td><code>${html(m.mti)}</code></td></tr>`];
  if (m.header !== undefined) rows.unshift(`<tr><td>h</td><td>Header</td><td><code>${html(m.header)}</code></td></tr>`);
  const keys = Object.keys(m.fields).sort((a, b) => Number(a) - Number(b));
  for (const k of keys) {
    const name = dialect.fields[Number(k)]?.spec.description ?? `Field ${k}`;
    const meaning = responseMeaning(dialect, k, m.fields[k]);
    rows.push(`<tr><td>${html(k)}</td><td>${html(name)}</td><td><code>${html(m.fields[k])}</code>${meaning ? ` ${html(meaning)}` : ""}</td></tr>`);
  }
  return `<table class="fields">\n<thead><tr><th>field</th><th>name</th><th>value</th></tr></thead>\n<tbody>\n${rows.join("\n")}\n</tbody>\n</table>`;
}
