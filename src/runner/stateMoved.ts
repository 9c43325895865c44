import type { Dialect } from "../iso8583/dialect.js";
import { rulesOf } from "../protocol/rules.js";
import type { TraceEvent } from "../trace/traceEvent.js";
import { messageOf } from "../trace/traceEvent.js";
import { exchanges } from "./exchanges.js";

/**
 * Whether a re-run of a scenario against a host that keeps its state met another state than the
 * first run: a request the first run had approved is now declined for what a host's state decides
 * (insufficient funds, a limit reached), as when the first run spent the card's balance. Such a
 * re-run that passes is no evidence of a flake. Returns what moved, in words, or undefined.
 */
export function stateMoved(dialect: Dialect, first: readonly TraceEvent[], again: readonly TraceEvent[]): string | undefined {
  const codes = rulesOf(dialect).codes;
  const stateful = new Set([codes.insufficient_funds, codes.exceeds_limit]);
  // The same step's requests, in order: the kit sends the same requests in a re-run.
  const answers = (trace: readonly TraceEvent[]) => {
    const by = new Map<string, (string | undefined)[]>();
    for (const x of exchanges(trace)) {
      const key = `${x.step} ${x.request.message.mti}`;
      const response = x.responses[0];
      by.set(key, [...(by.get(key) ?? []), response === undefined ? undefined : messageOf(response)?.fields["39"]]);
    }
    return by;
  };
  const before = answers(first);
  for (const [key, codesAgain] of answers(again)) {
    const codesFirst = before.get(key) ?? [];
    for (const [i, code] of codesAgain.entries()) {
      if (code !== undefined && stateful.has(code) && codesFirst[i] === codes.approved) {
        const [step, mti] = key.split(" ");
        return `the host answered ${code} to ${Number(step) >= 0 ? `step ${Number(step) + 1}'s` : "the teardown's"} ${mti}, which it had approved: its state moved`;
      }
    }
  }
  return undefined;
}
