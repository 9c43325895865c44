import { z } from "zod";
import type { RequestOperation } from "../iso8583/dialectTable.js";
import type { Card } from "../protocol/index.js";
import { cardAllows, type FileCard } from "./cardFile.js";

// The scenario model, declared once: these schemas validate scenario files, and the types the
// kit, the generators and the properties use are derived from them. Faults are unions on `kind`,
// so a handler table keyed by kind that misses one does not compile.

/** How a `malformed` frame is broken. */
export const malformedVariantSchema = z.enum(["truncated", "bad_length", "bad_content", "garbage"]);
export type MalformedVariant = z.infer<typeof malformedVariantSchema>;

/**
 * How a malformed request is broken (host under test): the shared variants, and `header_only`,
 * a frame of the length header and the fixed header alone, shorter than an MTI. Answers to a
 * terminal do not use it: a terminal reads one answer per request, a host's server loop is what
 * one such frame has killed.
 */
export const hostMalformedVariantSchema = z.enum([...malformedVariantSchema.options, "header_only"]);
export type HostMalformedVariant = z.infer<typeof hostMalformedVariantSchema>;

/**
 * How a `hostile_amount` request writes field 4, bypassing the codec: `negative` with a minus
 * sign (`-00000001000`), `space_padded` with spaces for the leading zeros (`        1000`). In a
 * BCD field the sign is the nibble D, as packed decimal writes it, and a space the pad nibble F.
 */
export const hostileAmountVariantSchema = z.enum(["negative", "space_padded"]);
export type HostileAmountVariant = z.infer<typeof hostileAmountVariantSchema>;

/**
 * A test card the kit presents: swiped sends track 2, keyed sends the PAN and expiry. It is kept
 * as its recipe (BIN, account number, length), not as a PAN, so scenario files carry no card
 * number in clear and still replay exactly: `cardPan` rebuilds it.
 */
export const cardRecipeSchema = z
  .object({
    bin: z.string().regex(/^\d{6,8}$/),
    account: z.number().int().min(0),
    length: z.number().int().min(13).max(19),
    /** YYMM */
    expiry: z.string().regex(/^\d{4}$/),
    swiped: z.boolean(),
  })
  .strict();
export type CardRecipe = z.infer<typeof cardRecipeSchema>;

/**
 * A card of the run's card file (`--cards`), by its place in the file: the scenario file names
 * it and never carries its number, and replays with the same card file. `swiped` only where the
 * card has a track 2.
 */
export const fileCardRefSchema = z.object({ file: z.number().int().min(0), swiped: z.boolean() }).strict();
export type FileCardRef = z.infer<typeof fileCardRefSchema>;

export const scenarioCardSchema = z.union([cardRecipeSchema, fileCardRefSchema]);
export type ScenarioCard = z.infer<typeof scenarioCardSchema>;

const plain = <K extends string>(kind: K) => z.object({ kind: z.literal(kind) }).strict();

/**
 * Faults the kit injects while playing a terminal:
 * - `drop`: the kit discards the host's answer, as if it never came, and so reverses the request;
 * - `duplicate`: the same request frame is sent twice;
 * - `bad_mac`: the request's MAC is corrupted (dialects with a MAC);
 * - `malformed`: a malformed but framed message goes first, then the request;
 * - `disconnect`: half of the request is written, the connection dropped, then the request is
 *   sent in full on a new connection;
 * - `reverse_twice`: the request's answer is dropped and its reversal is sent twice;
 * - `reverse_unknown`: after the request, a reversal of a transaction that never existed;
 * - `split`: the request is written in two segments (its two halves) with a short
 *   pause between them, as a slow network delivers it;
 * - `pipelined`: the request and an echo test are written in one segment, and both answers awaited;
 * - `hostile_amount`: the request goes with field 4 written as `variant` says, not as digits
 *   (the MAC, where there is one, computed over the bytes sent, so only the amount is wrong);
 * - `race_duplicate`: the request is sent at the same moment over two connections of its
 *   terminal (the kit opens a second one), both sends before either answer is awaited;
 * - `race_reversal`: the request's answer is dropped, and its reversal is sent at the same
 *   moment over two connections, as `race_duplicate` sends a request;
 * - `whole_balance`: a balance inquiry for the step's card first, then the request (a purchase or
 *   pre-auth) for exactly the available balance it reported (where the SUT's profile reports
 *   balances; the step's own amount where the answer gives none).
 */
export const hostFaultSchema = z.discriminatedUnion("kind", [
  plain("drop"),
  plain("duplicate"),
  plain("bad_mac"),
  z.object({ kind: z.literal("malformed"), variant: hostMalformedVariantSchema }).strict(),
  plain("disconnect"),
  plain("reverse_twice"),
  plain("reverse_unknown"),
  plain("split"),
  plain("pipelined"),
  z.object({ kind: z.literal("hostile_amount"), variant: hostileAmountVariantSchema }).strict(),
  plain("race_duplicate"),
  plain("race_reversal"),
  plain("whole_balance"),
]);
export type HostFault = z.infer<typeof hostFaultSchema>;
export type HostFaultKind = HostFault["kind"];

/**
 * Operations the kit, playing a terminal, starts against a host. Settlement ends every scenario.
 * An `advice` (where the SUT's profile takes them) notifies a purchase already approved offline;
 * unacknowledged, it is repeated (the dialect's `repeat_mti`) until acknowledged.
 */
export const hostOperationSchema = z.enum(["signon", "echo", "balance", "purchase", "void", "refund", "preauth", "advice"] satisfies Exclude<RequestOperation, "settlement">[]);
export type HostOperation = z.infer<typeof hostOperationSchema>;

export const hostStepSchema = z
  .object({
    op: hostOperationSchema,
    /** Index into the scenario's `terminals`. */
    terminal: z.number().int().min(0),
    /** Minor units (purchase, refund, pre-auth, advice). */
    amount: z.number().int().min(0).optional(),
    card: scenarioCardSchema.optional(),
    fault: hostFaultSchema.optional(),
  })
  .strict();
export type HostStep = z.infer<typeof hostStepSchema>;

export const hostScenarioSchema = z
  .object({
    role: z.literal("host"),
    /** Terminal IDs the kit plays; some may be deliberately unregistered. */
    terminals: z.array(z.string()).min(1),
    steps: z.array(hostStepSchema),
  })
  .strict()
  .superRefine((scenario, ctx) => {
    scenario.steps.forEach((s, i) => {
      if (s.terminal >= scenario.terminals.length) {
        ctx.addIssue({ code: "custom", path: ["steps", i, "terminal"], message: `terminal ${s.terminal} is not in scenario.terminals (${scenario.terminals.length} of them)` });
      }
    });
  });
export type HostScenario = z.infer<typeof hostScenarioSchema>;

/** The reversal the request leads to goes unanswered this many times too (the answer lost, then the reversal's). */
const reversalDrops = z.number().int().min(1).max(10).optional();
const leavesUnanswered = <K extends string>(kind: K) => z.object({ kind: z.literal(kind), reversalDrops }).strict();

/**
 * How the kit, playing the host, answers the step's own request (never its reversal, which
 * `reversalDrops` governs):
 * - `drop`: no answer;
 * - `late`: the answer comes after the terminal's response timeout;
 * - `answer_twice`: the answer is sent twice;
 * - `wrong_stan`, `wrong_tid`, `wrong_amount`: the answer echoes field 11, 41 or 4 wrongly
 *   (its MAC still verifies, so only the echo is wrong);
 * - `wrong_mti`: the answer comes with another response MTI (0230 for a 0210), MACed anew;
 * - `bad_mac`: the answer's MAC is corrupted (dialects with a MAC; answers that carry one);
 * - `code`: the request is declined with `code` (97, 96, 94, 91, 51, ...);
 * - `malformed`: a framed but undecodable answer;
 * - `disconnect`: half of the answer is written, then the connection is dropped;
 * - `close`: the connection is closed with no answer at all, not a byte of one;
 * - `split`: the answer is written in three segments (2 bytes, up to its middle, the rest) with a
 *   short pause between them, well inside the terminal's timeout: a valid answer, in pieces;
 * - `truncated_approval`: the answer carrying the approval code, cut just after field 39, the
 *   length header saying the cut length: framed, but without the fields after 39 (echoes, MAC).
 * A decline (`code`), a second copy of a good answer and a split one leave nothing to reverse,
 * so they carry no `reversalDrops`.
 */
export const terminalFaultSchema = z.discriminatedUnion("kind", [
  leavesUnanswered("drop"),
  leavesUnanswered("late"),
  plain("answer_twice"),
  leavesUnanswered("wrong_stan"),
  leavesUnanswered("wrong_tid"),
  leavesUnanswered("wrong_amount"),
  leavesUnanswered("wrong_mti"),
  leavesUnanswered("bad_mac"),
  z.object({ kind: z.literal("code"), code: z.string().regex(/^[0-9A-Z]{2,3}$/, "a response code such as 05 or A0") }).strict(),
  z.object({ kind: z.literal("malformed"), variant: malformedVariantSchema, reversalDrops }).strict(),
  leavesUnanswered("disconnect"),
  leavesUnanswered("close"),
  plain("split"),
  leavesUnanswered("truncated_approval"),
]);
export type TerminalFault = z.infer<typeof terminalFaultSchema>;
export type TerminalFaultKind = TerminalFault["kind"];

/**
 * What the kit, playing the host, asks a terminal under test to do through its control adapter
 * (an ECR command, a command line, an operator). `restart` restarts the terminal itself, where
 * the adapter can: a pending reversal must survive it.
 */
export const terminalOperationSchema = z.enum(["purchase", "balance", "void", "refund", "settlement", "signon", "restart"]);
export type TerminalOperation = z.infer<typeof terminalOperationSchema>;

export const terminalStepSchema = z
  .object({
    op: terminalOperationSchema,
    /** Minor units (purchase, refund). */
    amount: z.number().int().min(1).optional(),
    /** The card presented (purchase, balance, refund); a void uses its purchase's card. */
    card: scenarioCardSchema.optional(),
    fault: terminalFaultSchema.optional(),
  })
  .strict();
export type TerminalStep = z.infer<typeof terminalStepSchema>;

/** A scenario for a terminal under test: one terminal, whose ID and keys are its configuration. */
export const terminalScenarioSchema = z.object({ role: z.literal("terminal"), steps: z.array(terminalStepSchema) }).strict();
export type TerminalScenario = z.infer<typeof terminalScenarioSchema>;

/**
 * The generated test input, as plain JSON: what the kit does, in order, and which faults it
 * injects, for a host under test (the kit plays terminals) or a terminal under test (the kit
 * plays the host). A scenario file replays exactly, independent of fast-check.
 */
export const scenarioSchema = z.discriminatedUnion("role", [hostScenarioSchema, terminalScenarioSchema]);
export type Scenario = z.infer<typeof scenarioSchema>;

/** The Luhn check digit that makes `partial` + digit valid. */
export function luhnDigit(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = partial.charCodeAt(partial.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/**
 * The card's PAN: for a recipe, BIN, account number zero-padded to the length, Luhn check digit;
 * for a card of the card file, its number there.
 */
export function cardPan(c: ScenarioCard, cards?: readonly FileCard[]): string {
  return "file" in c ? cardOf(c, cards).pan : recipePan(c);
}

function recipePan(c: CardRecipe): string {
  const body = (c.bin + String(c.account).padStart(c.length - 1 - c.bin.length, "0")).slice(0, c.length - 1);
  return body + luhnDigit(body);
}

/** Whether the run's card file lets a step's card be used for `op` (a card not of the file may be used for anything). */
export function cardMay(c: ScenarioCard | undefined, op: string, cards: readonly FileCard[] | undefined): boolean {
  if (c === undefined || !("file" in c)) return true;
  const card = cards?.[c.file];
  return card === undefined || cardAllows(card, op);
}

/**
 * The card a request is made with: swiped cards carry track 2, keyed ones PAN and expiry. A card
 * of the card file is looked up in `cards`, the run's card file.
 */
export function cardOf(c: ScenarioCard, cards?: readonly FileCard[]): Card {
  if ("file" in c) {
    const card = cards?.[c.file];
    if (card === undefined) throw new RangeError(`the scenario uses card ${c.file + 1} of a card file, and ${cards === undefined ? "the run has no card file (--cards)" : `the card file has ${cards.length} card(s)`}`);
    const pin = card.pin === undefined ? {} : { pin: card.pin };
    return c.swiped && card.track2 !== undefined ? { pan: card.pan, expiry: card.expiry, track2: card.track2.replace("D", "="), ...pin } : { pan: card.pan, expiry: card.expiry, ...pin };
  }
  const pan = recipePan(c);
  return c.swiped ? { pan, expiry: c.expiry, track2: `${pan}=${c.expiry}1010000` } : { pan, expiry: c.expiry };
}

/** A step of either role. */
export type ScenarioStep = HostStep | TerminalStep;

/** `s` with other steps of its own role: shrinking edits the steps, never the role. */
export function withSteps<S extends Scenario>(s: S, steps: readonly ScenarioStep[]): S {
  return { ...s, steps } as S;
}

const money = (minor: number) => (minor / 100).toFixed(2);

function describeFault(f: HostFault | TerminalFault | undefined): string {
  if (f === undefined) return "";
  const detail = "variant" in f ? f.variant : "code" in f ? f.code : undefined;
  const revdrop = "reversalDrops" in f && f.reversalDrops ? `+revdrop:${f.reversalDrops}` : "";
  return `+${f.kind}${detail ? `:${detail}` : ""}${revdrop}`;
}

/**
 * One step as people read it in a counterexample: `T1 purchase(5.00)+drop` (host scenarios
 * name the terminal the kit plays), `purchase(5.00)+drop+revdrop:1` (terminal scenarios).
 */
export function describeStep(s: Scenario, step: ScenarioStep): string {
  const amount = step.amount !== undefined ? `(${money(step.amount)})` : "";
  const what = `${step.op}${amount}${describeFault(step.fault)}`;
  if (s.role === "terminal") return what;
  const terminal = (step as HostStep).terminal;
  return `${s.terminals[terminal] ?? `#${terminal}`} ${what}`;
}
