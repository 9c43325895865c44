import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { codecBenchmark } from "./codec.js";
import { linkBenchmark } from "./link.js";
import { machine } from "./measure.js";
import { overheadsBenchmark } from "./overheads.js";
import { runnerBenchmark } from "./runner.js";
import { concurrencyBenchmark } from "./concurrency.js";

/**
 * `npm run bench [name…]` runs the named benchmarks (all by default) and rewrites their
 * sections of BENCHMARKS.md, each with the command, the machine and the date.
 */
const BENCHMARKS: Record<string, { title: string; run: () => string | Promise<string> }> = {
  codec: { title: "Codec: pack + unpack", run: codecBenchmark },
  link: { title: "Link: round trips over loopback TCP", run: linkBenchmark },
  runner: { title: "Runner: seeded bugs, throughput, memory", run: runnerBenchmark },
  overheads: { title: "In-process overheads: MAC ciphers, connection close, terminal state, CLI start-up", run: overheadsBenchmark },
  concurrency: { title: "Lanes: scenarios at once against a host with 30 ms answers", run: concurrencyBenchmark },
};

const FILE = new URL("../BENCHMARKS.md", import.meta.url);
const wanted = process.argv.slice(2);
for (const w of wanted) {
  if (!(w in BENCHMARKS)) {
    console.error(`unknown benchmark "${w}": known are ${Object.keys(BENCHMARKS).join(", ")}`);
    process.exit(2);
  }
}

let doc = existsSync(FILE) ? readFileSync(FILE, "utf8") : "# Benchmarks\n\nWritten by `npm run bench`; each section says how and where it was measured.\n";
for (const [name, b] of Object.entries(BENCHMARKS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.error(`running ${name}…`);
  const body = await b.run();
  const section = [
    `<!-- bench:${name} -->`,
    `## ${b.title}`,
    "",
    `\`npm run bench ${name}\` on ${new Date().toISOString().slice(0, 10)}, ${machine()}.`,
    "",
    body,
    `<!-- /bench:${name} -->`,
  ].join("\n");
  const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  doc = re.test(doc) ? doc.replace(re, section) : `${doc.trimEnd()}\n\n${section}\n`;
  console.log(section);
}
writeFileSync(FILE, doc);
