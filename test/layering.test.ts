import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "./helpers/builtCli.js";

/**
 * The floors of the product, lowest first (README, Development). A file may import from its own
 * folder and from lower floors only; two folders on one floor stay independent of each other.
 * `src/index.ts` is the package's front door: it re-exports from every floor of `src/`.
 */
const FLOORS: readonly (readonly string[])[] = [
  ["src/iso8583"],
  ["src/link", "src/protocol"],
  ["src/trace", "src/ecr"],
  ["src/scenario"],
  ["src/sim"],
  ["src/roles"],
  ["src/runner"],
  ["src/index.ts"],
  ["generators", "suites"],
  ["reports"],
  ["api"],
  ["bin"],
];

const FOLDERS = ["src", "generators", "suites", "reports", "api", "bin"];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** The floor part a repository path belongs to: `src/link`, `src/index.ts`, `reports`. */
function partOf(path: string): string {
  const [top, second] = path.split("/");
  return top === "src" ? `src/${second}` : top;
}

const floorOf = (part: string) => FLOORS.findIndex((floor) => floor.includes(part));

/** Every relative import and re-export of a file, as repository paths of the files they name. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.{1,2}\/[^"]+)"|\bimport\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g)].map((m) => m[1] ?? m[2]);
  return specs.map((spec) => relative(ROOT, resolve(dirname(join(ROOT, file)), spec.replace(/\.js$/, ".ts"))));
}

describe("layering: every import points to the same part or a lower floor", () => {
  const files = FOLDERS.flatMap(sources);

  it("every part of the product has a floor", () => {
    const parts = [...new Set(files.map(partOf))];
    assert.deepEqual(parts.filter((p) => floorOf(p) < 0), [], "add new folders to FLOORS (and to the README's layout)");
  });

  it("no file imports from a higher floor, or from another part of its own floor", () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = partOf(file);
      for (const target of importsOf(file)) {
        const to = partOf(target);
        if (to === from || !FOLDERS.includes(target.split("/")[0])) continue;
        if (floorOf(to) >= floorOf(from)) wrong.push(`${file} imports ${target} (${from} is floor ${floorOf(from)}, ${to} floor ${floorOf(to)})`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("the check sees imports: the floors of a known file's imports are found", () => {
    const found = importsOf("src/runner/runScenario.ts").map(partOf);
    assert.ok(found.includes("src/roles") && found.includes("src/scenario"), found.join(", "));
  });
});
