/**
 * The reference terminal's seeded bugs: each a named switch (`--bug NAME`) that breaks one rule
 * on purpose, so the kit can show it finds and shrinks it. `violates` names the properties a
 * run against the bugged terminal must fail; a bug no property catches is a hole in the suite.
 */
export const TERMINAL_BUGS = [
  {
    name: "no-reversal",
    violates: ["T-REV-1"],
    description: "never journals a reversible request, so one that goes unanswered is never reversed",
  },
  {
    name: "reversal-after-next",
    violates: ["T-REV-1"],
    description: "sends the next transaction first and the pending reversal only after it",
  },
  {
    name: "double-reversal",
    violates: ["T-REV-1"],
    description: "after a reversal is acknowledged, reverses the same transaction a second time",
  },
  {
    name: "reversal-wrong-stan",
    violates: ["T-REV-3"],
    description: "builds the reversal around a fresh STAN, so it does not identify its original",
  },
  {
    name: "reversal-no-retry",
    violates: ["T-REV-4", "T-REV-1"],
    description: "sends a reversal once and drops it when it goes unanswered",
  },
  {
    name: "reversal-lost-on-restart",
    violates: ["T-REV-1"],
    description: "keeps the reversal journal in memory only, so a restart forgets a pending reversal",
  },
  {
    name: "accept-mismatched-stan",
    violates: ["T-ECHO-1"],
    description: "does not compare the response's STAN (field 11) with the request's",
  },
  {
    name: "accept-wrong-mti",
    violates: ["T-ECHO-1"],
    description: "does not compare the response's MTI with the one its request calls for",
  },
  {
    name: "accept-wrong-tid",
    violates: ["T-ECHO-1"],
    description: "does not compare the response's terminal ID (field 41) with the request's",
  },
  {
    name: "stan-reuse",
    violates: ["T-FMT-1"],
    description: "advances the STAN only on approval, so the next request reuses a declined or unanswered one's STAN",
  },
  {
    name: "reverse-declined",
    violates: ["T-RC-1", "T-REV-2"],
    description: "treats a valid decline like a failure and reverses it (reason 06)",
  },
  {
    name: "wrong-reason-code",
    violates: ["T-REV-3"],
    description: "reverses every failure with reason 98 (no answer), also a bad MAC (A0) or a wrong echo (06)",
  },
  {
    name: "reads-one-chunk",
    violates: ["T-REV-2", "T-RC-1"],
    description: "reads the answer in one read: one that arrives in several segments is a failed read, reversed though it was valid",
  },
  {
    name: "hangs-on-close",
    violates: ["T-REV-1"],
    description: "waits forever when the host closes the connection without a byte of answer: never reverses, never takes another command",
  },
  {
    name: "takes-truncated-approval",
    violates: ["T-ECHO-1", "T-REV-1"],
    description: "reads an answer until its data runs out: one cut after field 39 = 00 is an approval, its missing echoes and MAC unchecked",
  },
] as const satisfies readonly { name: string; violates: readonly string[]; description: string }[];

export type TerminalBugName = (typeof TERMINAL_BUGS)[number]["name"];
export type TerminalBug = (typeof TERMINAL_BUGS)[number];

/** The bug a name refers to; an unknown name is an error listing the known ones. */
export function terminalBug(name: string): TerminalBug {
  const bug = TERMINAL_BUGS.find((b) => b.name === name);
  if (bug === undefined) {
    throw new Error(`unknown terminal bug "${name}": expected one of ${TERMINAL_BUGS.map((b) => b.name).join(", ")}`);
  }
  return bug;
}
