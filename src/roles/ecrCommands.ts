import type { EcrCommand, EcrResult } from "../ecr/ecrProtocol.js";
import type { Card } from "../protocol/index.js";
import type { ControlResult, TerminalCommand } from "../scenario/terminalControl.js";

type EcrCard = NonNullable<(EcrCommand & { cmd: "sale" })["card"]>;

/**
 * The card as isoconf-ecr/1 carries it: PAN, expiry and track 2. A card file's PIN stays out: the
 * protocol has no PIN (the terminal's PIN pad takes it), a terminal that reads frames strictly
 * refuses a key it does not know, and a PIN in clear has no business on the ECR line.
 */
function ecrCard(card: Card): EcrCard {
  return card.track2 === undefined ? { pan: card.pan, expiry: card.expiry } : { pan: card.pan, expiry: card.expiry, track2: card.track2 };
}

/**
 * The isoconf-ecr/1 command for a kit command (docs/ecr-protocol.md), as the `ecr` adapter sends
 * it and the in-process adapter hands it to the reference terminal.
 */
export function ecrCommandOf(c: TerminalCommand): EcrCommand {
  switch (c.op) {
    case "signon":
      return { cmd: "signon" };
    case "purchase":
      return c.card === undefined ? { cmd: "sale", amount: c.amount } : { cmd: "sale", amount: c.amount, card: ecrCard(c.card) };
    case "balance":
      return c.card === undefined ? { cmd: "balance" } : { cmd: "balance", card: ecrCard(c.card) };
    case "void":
      return { cmd: "void", stan: c.stan };
    case "refund": {
      const r: EcrCommand & { cmd: "refund" } = { cmd: "refund", amount: c.amount };
      if (c.stan !== undefined) r.stan = c.stan;
      else if (c.card !== undefined) r.card = ecrCard(c.card);
      return r;
    }
    case "settlement":
      return { cmd: "settle" };
  }
}

const OUTCOME = { approved: "approved", declined: "declined", error: "failed" } as const;

/** An isoconf-ecr/1 result as the kit reads it: the outcome, code and STAN, and the cashier's line. */
export function controlResultOf(r: EcrResult): ControlResult {
  const out: ControlResult = { outcome: OUTCOME[r.result] ?? "unknown", message: r.message };
  if (r.code !== undefined) out.code = r.code;
  if (r.stan !== undefined) out.stan = r.stan;
  return out;
}
