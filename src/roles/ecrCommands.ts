import type { EcrCommand, EcrResult } from "../ecr/ecrProtocol.js";
import type { ControlResult, TerminalCommand } from "../scenario/terminalControl.js";

/**
 * The isoconf-ecr/1 command for a kit command (docs/ecr-protocol.md), as the `ecr` adapter sends
 * it and the in-process adapter hands it to the reference terminal.
 */
export function ecrCommandOf(c: TerminalCommand): EcrCommand {
  switch (c.op) {
    case "signon":
      return { cmd: "signon" };
    case "purchase":
      return c.card === undefined ? { cmd: "sale", amount: c.amount } : { cmd: "sale", amount: c.amount, card: c.card };
    case "balance":
      return c.card === undefined ? { cmd: "balance" } : { cmd: "balance", card: c.card };
    case "void":
      return { cmd: "void", stan: c.stan };
    case "refund": {
      const r: EcrCommand & { cmd: "refund" } = { cmd: "refund", amount: c.amount };
      if (c.stan !== undefined) r.stan = c.stan;
      else if (c.card !== undefined) r.card = c.card;
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
