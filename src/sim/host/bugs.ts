import type { Capability } from "../../protocol/profile.js";

/**
 * The reference host's seeded bugs: each a named switch (`--bug NAME`) that breaks one rule on
 * purpose, so the kit can show it finds and shrinks it. `violates` names the property a run
 * against the bugged host must fail; a bug no property catches is a hole in the suite. `needs`: the
 * SUT profile capability the kit needs to see it (`balances`: the bug leaves the batch totals
 * right and shows only in a card's balance, so only a dialect whose profile reports balances finds it).
 * `across`: no one scenario shows it, only the run's scenarios together against a host that keeps
 * its books between them (a process, or lanes against one host), through a property's rule across the run.
 */
/**
 * How long a host with a racy bug (`racy-duplicate-check`, `racy-double-reversal`, `crossed-answers`) takes over a
 * request before it answers, on its clock: the window a copy arriving on another connection falls in.
 * A few ms, as a database round trip takes; requests on one connection wait for each other.
 */
export const RACY_PROCESSING_MS = 5;

export const HOST_BUGS = [
  {
    name: "approve-unknown-tid",
    violates: ["H-TID-1"],
    description: "serves an unregistered terminal ID as if it were registered, and posts its transactions",
  },
  {
    name: "double-post-duplicate",
    violates: ["H-DUP-1"],
    description: "does not look for duplicates: a request sent twice is processed and posted twice",
  },
  {
    name: "reversal-ignored",
    violates: ["H-REV-1"],
    description: "acknowledges the reversal of an approved transaction (00) but leaves it in the totals",
  },
  {
    name: "reversal-not-idempotent",
    violates: ["H-REV-2"],
    description: "undoes a transaction again on each repeat of its reversal, taking it out of the totals twice",
  },
  {
    name: "wrong-stan-echo",
    violates: ["H-ECHO-1"],
    description: "answers with the request's STAN plus one in field 11",
  },
  {
    name: "drop-field-41",
    violates: ["H-ECHO-1"],
    description: "leaves the terminal ID (field 41) out of its answers",
  },
  {
    name: "crash-on-malformed",
    violates: ["H-LIVE-1"],
    description: "after the first frame that does not decode, stops answering on every connection (the process stays up)",
  },
  {
    name: "settle-miscount",
    violates: ["H-SET-1"],
    description: "counts declined purchases in the batch's debit count when it settles, so a correct terminal is told its batch does not balance",
  },
  {
    name: "slow-response",
    violates: ["H-MTI-1"],
    description: "holds every answer longer than the kit's response timeout (35 s unless configured)",
  },
  {
    name: "duplicate-debits-card",
    violates: ["H-DUP-1"],
    needs: "balances",
    description: "answers a repeated purchase as a duplicate, yet debits the card again (the batch totals stay right)",
  },
  {
    name: "repeated-reversal-credits",
    violates: ["H-REV-2"],
    needs: "balances",
    description: "acknowledges a repeated reversal as a no-op, yet credits the card again (the batch totals stay right)",
  },
  {
    name: "unknown-reversal-credits",
    violates: ["H-REV-2"],
    needs: "balances",
    description: "answers a reversal of an unknown transaction with 25, yet credits its amount to the card",
  },
  {
    name: "declines-whole-balance",
    violates: ["H-BAL-1"],
    needs: "balances",
    description: "checks funds with >= instead of >: a purchase or pre-auth of exactly the available balance is declined for insufficient funds (51)",
  },
  {
    name: "dies-on-zero-amount",
    violates: ["H-MTI-1"],
    description: "divides by the amount in its risk check: the first purchase, pre-auth, refund or advice of 0.00 throws, and the host stops answering on every connection",
  },
  {
    name: "wraps-large-amount",
    violates: ["H-SET-1"],
    description: "keeps amounts in a 32-bit integer: 9,999,999,999.99 (the largest n12) becomes -7,273,799.69, which passes its limit and funds checks, is approved, and is booked as that credit",
  },
  {
    name: "double-posts-advice-repeat",
    violates: ["H-DUP-1"],
    description: "posts advices without looking for repeats: an advice repeated (0221, or resent as it was) because its acknowledgement was lost is posted again",
  },
  {
    name: "drops-split-request",
    violates: ["H-MTI-1"],
    description: "takes each chunk read from the connection as whole frames: a request that arrives in two pieces is thrown away unanswered",
  },
  {
    name: "drops-pipelined",
    violates: ["H-MTI-1"],
    description: "serves only the first frame of each chunk read: a second request that arrives with it is silently dropped",
  },
  {
    name: "keeps-last-pipelined",
    violates: ["H-MTI-1"],
    description: "reads each chunk into one message buffer: of two requests that arrive together, the first is overwritten by the second and never answered",
  },
  {
    name: "dies-on-header-only",
    violates: ["H-LIVE-1"],
    description: "after a frame shorter than an MTI (the length and fixed headers alone), stops answering on every connection",
  },
  {
    name: "lax-amount",
    violates: ["H-FMT-2"],
    description: "reads field 4 leniently: a sign or spaces in it are taken as a number, so '-00000001000' is a purchase of -10.00 it approves and credits",
  },
  {
    name: "racy-duplicate-check",
    violates: ["H-DUP-1"],
    description: "takes a few ms (RACY_PROCESSING_MS) over each request, one at a time per connection, and looks for duplicates only among requests already answered: a copy that arrives on another connection meanwhile is processed and posted again",
  },
  {
    name: "racy-double-reversal",
    violates: ["H-REV-2"],
    description: "takes a few ms (RACY_PROCESSING_MS) over each request, one at a time per connection, and marks a purchase reversed only when it answers: a second reversal of it that arrives on another connection meanwhile undoes it again",
  },
  {
    name: "crossed-answers",
    violates: ["H-MTI-1"],
    description: "takes a few ms (RACY_PROCESSING_MS) over each request and then writes the answer to the connection that last sent it a frame, one shared 'current connection': with two connections busy at once, one gets both answers and the other none",
  },
  {
    name: "rrn-per-terminal",
    violates: ["H-RRN-1"],
    description: "draws RRNs and authorisation codes from a counter per terminal, all starting at the same number: two terminals are given the same RRN",
  },
  {
    name: "rrn-wraps",
    violates: ["H-RRN-1"],
    across: true,
    description: "hands out its RRNs again after 64 approvals: no scenario shows it, only a host kept from scenario to scenario (a process) over a run",
  },
] as const satisfies readonly { name: string; violates: readonly string[]; needs?: Capability; across?: true; description: string }[];

export type HostBugName = (typeof HOST_BUGS)[number]["name"];
export type HostBug = (typeof HOST_BUGS)[number];

/** Whether a bug shows only across the scenarios of a run against a host that keeps its books (`across`). */
export const hostBugAcrossRun = (bug: HostBug): boolean => "across" in bug && bug.across === true;

/** The bug a name refers to; an unknown name is an error listing the known ones. */
export function hostBug(name: string): HostBug {
  const bug = HOST_BUGS.find((b) => b.name === name);
  if (bug === undefined) {
    throw new Error(`unknown host bug "${name}": expected one of ${HOST_BUGS.map((b) => b.name).join(", ")}`);
  }
  return bug;
}

/** What the kit needs of the SUT's profile to see `bug` (see `needs` above); undefined: any profile. */
export const hostBugNeeds = (bug: HostBug): Capability | undefined => ("needs" in bug ? bug.needs : undefined);
