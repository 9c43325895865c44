import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { lrc } from "../../src/link/stxEtx.js";
import { ECR_PROTOCOL, formatEcrResult, parseEcrCommand } from "../../src/ecr/ecrProtocol.js";

const frame = (o: Record<string, unknown>) => JSON.stringify({ v: ECR_PROTOCOL, id: "7", ...o });

describe("isoconf-ecr/1 frames", () => {
  it("reads each command", () => {
    const card = { pan: "6225880012345678", expiry: "2812" };
    const commands = [
      { cmd: "sale", amount: 500 },
      { cmd: "sale", amount: 500, card },
      { cmd: "void", stan: "000012" },
      { cmd: "refund", amount: 200 },
      { cmd: "refund", amount: 200, stan: "000012", card },
      { cmd: "balance" },
      { cmd: "settle" },
      { cmd: "signon" },
      { cmd: "status" },
    ];
    for (const command of commands) assert.deepEqual(parseEcrCommand(frame(command)), { id: "7", command });
  });

  // The error catalogue: what the ECR reads back in `message` for a frame that is not a command.
  const invalid: [string, string | null, string | null, string][] = [
    ["not json", null, null, "the frame is not JSON"],
    ["[1,2]", null, null, "the frame is not a JSON object"],
    [JSON.stringify({ v: ECR_PROTOCOL, cmd: "sale", amount: 5 }), null, "sale", "id must be a string of 1 to 64 characters"],
    [frame({ v: "isoconf-ecr/2", cmd: "status" }), "7", "status", 'v must be "isoconf-ecr/1", got "isoconf-ecr/2"'],
    [frame({ cmd: "refundd" }), "7", null, 'cmd must be one of sale, void, refund, balance, settle, signon, status, got "refundd"'],
    [frame({ cmd: "sale" }), "7", "sale", "amount: missing"],
    [frame({ cmd: "sale", amount: "5.00" }), "7", "sale", "amount: expected a number of minor units, such as 500 for 5.00"],
    [frame({ cmd: "sale", amount: 5.5 }), "7", "sale", "amount: expected a whole number of minor units"],
    [frame({ cmd: "sale", amount: 0 }), "7", "sale", "amount: expected at least 1"],
    [frame({ cmd: "sale", amount: 1e12 }), "7", "sale", "amount: expected at most 12 digits"],
    [frame({ cmd: "void", stan: "12" }), "7", "void", "stan: expected 6 digits"],
    [frame({ cmd: "sale", amount: 5, card: { pan: "12", expiry: "2812" } }), "7", "sale", "card.pan: expected 12 to 19 digits"],
    [frame({ cmd: "status", extra: 1 }), "7", "status", 'command: Unrecognized key: "extra"'],
  ];
  for (const [text, id, cmd, error] of invalid) {
    it(`refuses ${text.length > 60 ? text.slice(0, 60) + "…" : text}`, () => {
      assert.deepEqual(parseEcrCommand(text), { id, cmd, error });
    });
  }

  it("a result frame echoes the protocol, id and command", () => {
    assert.deepEqual(JSON.parse(formatEcrResult("7", "sale", { result: "declined", code: "51", message: "declined: 51 Not sufficient funds" })), {
      v: ECR_PROTOCOL,
      id: "7",
      cmd: "sale",
      result: "declined",
      code: "51",
      message: "declined: 51 Not sufficient funds",
    });
  });

  describe("the examples in docs/ecr-protocol.md", () => {
    const doc = readFileSync(new URL("../../docs/ecr-protocol.md", import.meta.url), "utf8");
    const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].flatMap((m) => m[1].trim().split("\n"));
    const commands = examples.filter((line) => !line.includes('"result"'));
    const results = examples.filter((line) => line.includes('"result"'));

    it("every command example is a valid command", () => {
      assert.ok(commands.length >= 4);
      for (const line of commands) assert.ok("command" in parseEcrCommand(line), line);
    });

    it("every result example has the result frame's common fields", () => {
      assert.ok(results.length >= 7);
      for (const line of results) {
        const r = JSON.parse(line);
        assert.equal(r.v, ECR_PROTOCOL);
        assert.ok(["approved", "declined", "error"].includes(r.result), line);
        assert.equal(typeof r.message, "string");
      }
    });

    it("the LRC of the worked example is 3D", () => {
      assert.match(doc, /then `3D`/);
      assert.equal(lrc(Buffer.from('{"v":"isoconf-ecr/1","id":"1","cmd":"status"}\x03')), 0x3d);
    });
  });
});
