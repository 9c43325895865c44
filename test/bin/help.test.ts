import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { decodeCommand } from "../../bin/commands/decode.js";
import { runCliAsync } from "../helpers/cli.js";
import { ISOCONF_BIN } from "../helpers/builtCli.js";

/** Every command, as a user types it. */
const COMMANDS = ["run", "replay", "check", "merge", "list", "decode", "encode", "dialects", "sim", "sim host", "sim terminal"];

/** The `Examples:` section of a help text, as lines. */
const examplesOf = (help: string) => help.split("Examples:")[1]?.split("\n").filter((l) => l.trim() !== "") ?? [];

describe("isoconf --help", function () {
  this.timeout(120_000);

  it("lists every command", async () => {
    const r = await runCliAsync(["--help"]);
    assert.equal(r.status, 0, r.stderr);
    for (const c of COMMANDS.filter((c) => !c.includes(" "))) assert.match(r.stdout, new RegExp(`isoconf ${c}\\b`), c);
  });

  it("every command has help with examples, each with what it does", async () => {
    const helps = await Promise.all(COMMANDS.map((c) => runCliAsync([...c.split(" "), "--help"])));
    helps.forEach((r, i) => {
      assert.equal(r.status, 0, `${COMMANDS[i]}: ${r.stderr}`);
      const examples = examplesOf(r.stdout);
      assert.ok(examples.length >= 2, `${COMMANDS[i]} --help shows at least two examples:\n${r.stdout}`);
      // yargs prints the description in a column to the right of the command.
      assert.ok(examples.every((l) => l.includes("isoconf") || /^\s{2,}\S/.test(l)), COMMANDS[i]);
      assert.ok(examples.some((l) => /\S\s{2,}\S/.test(l.trim())), `${COMMANDS[i]}: examples say what they do`);
    });
  });

  it("an unknown flag or a bad value is an error that says what was expected (exit 2)", async () => {
    const unknown = await Promise.all(COMMANDS.map((c) => runCliAsync([...c.split(" "), "--no-such-flag"])));
    unknown.forEach((r, i) => {
      assert.equal(r.status, 2, `${COMMANDS[i]}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /Unknown argument|Missing required argument|Not enough non-option arguments|name a simulator/, COMMANDS[i]);
    });
    const bad = await Promise.all([
      runCliAsync(["run", "host", "--runs", "-3"]),
      runCliAsync(["run", "host", "--shard", "5/4", "--seed", "1"]),
      runCliAsync(["run", "host", "--shard", "1/4"]),
      runCliAsync(["run", "somebody"]),
      runCliAsync(["decode", "-d", "cup", "--hex", "XYZ"]),
    ]);
    const expected = [/--runs must be a whole number above 0, got -3/, /--shard 5\/4: expected i\/n with 1 <= i <= n/, /--shard needs --seed/, /Invalid values:[\s\S]*role[\s\S]*Choices: "host", "terminal"/, /not hexadecimal: expected pairs of 0-9\/A-F/];
    bad.forEach((r, i) => {
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, expected[i]);
    });
  });

  it("the decode example is a real frame", async () => {
    // The examples as the builder declares them (the help text wraps a long frame across lines).
    const examples: string[] = [];
    const recorder: any = new Proxy({}, { get: (_, key) => (...a: unknown[]) => (key === "example" && examples.push(String(a[0])), recorder) });
    decodeCommand.builder(recorder);
    const hex = examples.map((e) => /--hex ([0-9A-F]+)/.exec(e)?.[1]).find((h) => h !== undefined)!;
    const r = await runCliAsync(["decode", "-d", "cup", "--hex", hex]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /41 .*"TERM0001"/);
  });
});

describe("isoconf writing into a closed pipe (`isoconf decode --hex-lines … | head -1`)", function () {
  this.timeout(60_000);

  it("stops quietly when its reader goes away: no stack, no crash", async () => {
    const hex = "600003000060310000000008000020000000C000120000015445524D3030303131323334353637383930313233343500110000000100300003303031";
    const child = spawn(process.execPath, [ISOCONF_BIN, "decode", "-d", "cup", "--hex-lines"], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.stdout.once("data", () => child.stdout.destroy());
    child.stdin.on("error", () => {});
    // More output than a pipe holds, so the decoder is still writing when its reader has gone.
    child.stdin.end(`${hex}\n`.repeat(20_000));
    const status = await new Promise<number | null>((resolve) => child.once("close", resolve));
    assert.equal(status, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|\n\s+at /);
  });
});
