import assert from "node:assert/strict";
import { ECR_PROTOCOL, parseEcrCommand } from "../../src/ecr/ecrProtocol.js";
import { ecrCommandOf } from "../../src/roles/ecrCommands.js";
import type { TerminalCommand } from "../../src/scenario/terminalControl.js";

describe("ECR commands the kit sends", () => {
  // A card file's card keeps its PIN for the host role, where the kit is the terminal and sends a PIN block.
  const keyed = { pan: "6225880000000000006", expiry: "2812", pin: "1234" };
  const swiped = { pan: "6225880000000000014", expiry: "2812", track2: "6225880000000000014=2812101", pin: "4321" };
  const commands: [TerminalCommand, typeof keyed | typeof swiped][] = [
    [{ op: "purchase", amount: 500, card: keyed }, keyed],
    [{ op: "purchase", amount: 500, card: swiped }, swiped],
    [{ op: "balance", card: swiped }, swiped],
    [{ op: "refund", amount: 100, card: keyed }, keyed],
  ];
  for (const [c, withPin] of commands) {
    it(`${c.op} with a card file's card (${"track2" in withPin ? "swiped" : "keyed"}): a valid isoconf-ecr/1 frame, with the card and without its PIN`, () => {
      const text = JSON.stringify({ v: ECR_PROTOCOL, id: "1", ...ecrCommandOf(c) });
      const parsed = parseEcrCommand(text);
      assert.ok("command" in parsed, `${text}: ${"error" in parsed ? parsed.error : ""}`);
      assert.doesNotMatch(text, /pin|1234|4321/i);
      const { pin: _, ...card } = withPin;
      assert.deepEqual("card" in parsed.command ? parsed.command.card : undefined, card);
    });
  }
});
