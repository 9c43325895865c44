/**
 * The HTML report's only style sheet, inlined: the report is one file that opens from a CI
 * artifact or an e-mail with no network. Verdict colours are the same in the tables, badges and
 * diagrams; evidence (`.hit`) is red everywhere.
 */
export const HTML_STYLE = `
:root { --pass: #1a7f37; --fail: #cf222e; --flaky: #9a6700; --skipped: #6e7781; --waived: #0550ae; --hit: #cf222e; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 0 auto; max-width: 1100px; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 6px; }
code, pre, .wire td, .fields td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: var(--soft); padding: 8px 10px; overflow-x: auto; border-radius: 4px; }
table { border-collapse: collapse; margin: 4px 0 8px; }
th, td { text-align: left; vertical-align: top; padding: 3px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); }
.run { color: #57606a; margin: 0; }
.warn { background: #fff8c5; border: 1px solid #d4a72c; padding: 8px 12px; border-radius: 4px; font-weight: 600; }
.counts { list-style: none; padding: 0; display: flex; gap: 12px; flex-wrap: wrap; }
.counts li { padding: 4px 10px; border-radius: 12px; background: var(--soft); font-weight: 600; }
.badge { display: inline-block; min-width: 56px; text-align: center; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; }
.v-pass { color: var(--pass); } .badge.v-pass { background: var(--pass); color: #fff; }
.v-fail { color: var(--fail); } .badge.v-fail { background: var(--fail); color: #fff; }
.v-flaky { color: var(--flaky); } .badge.v-flaky { background: var(--flaky); color: #fff; }
.v-untested { color: var(--flaky); } .badge.v-untested { background: var(--flaky); color: #fff; }
.v-na { color: var(--skipped); } .badge.v-na { background: var(--skipped); color: #fff; }
.v-skipped { color: var(--skipped); } .badge.v-skipped { background: var(--skipped); color: #fff; }
.v-waived { color: var(--waived); } .badge.v-waived { background: var(--waived); color: #fff; }
.req { font-weight: 600; }
.wire tr.hit td, details.hit > summary { color: var(--hit); font-weight: 600; }
.wire tr.bad td, p.bad { color: var(--fail); }
.wire tr.k-step td { background: var(--soft); }
details { margin: 2px 0; } summary { cursor: pointer; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
svg.seq { display: block; max-width: 100%; height: auto; font: 11px ui-monospace, Menlo, Consolas, monospace; }
svg.seq text { fill: #1f2328; }
svg.seq rect.actor { fill: var(--soft); stroke: #57606a; }
svg.seq text.actor { text-anchor: middle; font-weight: 700; font-size: 12px; }
svg.seq line.life { stroke: #8c959f; stroke-dasharray: 4 3; }
svg.seq line.msg { stroke: #1f2328; stroke-width: 1.3; }
svg.seq line.msg.ka { stroke: #8c959f; }
svg.seq line.msg.bad { stroke: var(--fail); stroke-dasharray: 6 3; }
svg.seq line.msg.hit { stroke: var(--hit); stroke-width: 2.6; }
svg.seq text.label { text-anchor: middle; }
svg.seq text.bad { fill: var(--fail); }
svg.seq text.hit { fill: var(--hit); font-weight: 700; }
svg.seq text.num { fill: #57606a; }
svg.seq text.num.hit { fill: var(--hit); }
svg.seq line.step { stroke: #afb8c1; stroke-dasharray: 2 3; }
svg.seq text.step { fill: #57606a; font-style: italic; }
svg.seq path.fault { fill: #bf8700; } svg.seq text.fault { fill: #9a6700; }
svg.seq circle.timeout { fill: #fff; stroke: var(--fail); stroke-width: 2; } svg.seq text.timeout { fill: var(--fail); }
svg.seq text.event { fill: #57606a; }
svg.seq marker.head-n path { fill: #1f2328; } svg.seq marker.head-bad path { fill: var(--fail); } svg.seq marker.head-hit path { fill: var(--hit); }
footer { margin-top: 40px; color: #57606a; font-size: 12px; }
`;
