import type { Operation } from "../iso8583/dialectTable.js";

/**
 * The generated test input, as plain JSON: what the kit does, in order, and which faults it
 * injects. A scenario file replays exactly, independent of fast-check.
 */
export type Scenario = HostScenario;

/** Operations the kit, playing a terminal, starts against a host. Settlement ends every scenario. */
export type HostOperation = Exclude<Operation, "settlement">;

/**
 * Faults the kit injects while playing a terminal:
 * - `drop`: the kit discards the host's answer, as if it never came, and so reverses the request;
 * - `duplicate`: the same request frame is sent twice;
 * - `bad_mac`: the request's MAC is corrupted (dialects with a MAC);
 * - `malformed`: a malformed but framed message goes first, then the request;
 * - `disconnect`: half of the request is written, the connection dropped, then the request is
 *   sent in full on a new connection;
 * - `reverse_twice`: the request's answer is dropped and its reversal is sent twice;
 * - `reverse_unknown`: after the request, a reversal of a transaction that never existed.
 */
export type HostFaultKind = "drop" | "duplicate" | "bad_mac" | "malformed" | "disconnect" | "reverse_twice" | "reverse_unknown";

/** How a `malformed` frame is broken. */
export type MalformedVariant = "truncated" | "bad_length" | "bad_content" | "garbage";

export interface HostFault {
  kind: HostFaultKind;
  variant?: MalformedVariant;
}

/**
 * A test card the kit presents: swiped sends track 2, keyed sends the PAN and expiry. It is kept
 * as its recipe (BIN, account number, length), not as a PAN, so scenario files carry no card
 * number in clear and still replay exactly: `cardPan` rebuilds it.
 */
export interface ScenarioCard {
  bin: string;
  account: number;
  length: number;
  /** YYMM */
  expiry: string;
  swiped: boolean;
}

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

/** The card's PAN: BIN, account number zero-padded to the length, Luhn check digit. */
export function cardPan(c: ScenarioCard): string {
  const body = (c.bin + String(c.account).padStart(c.length - 1 - c.bin.length, "0")).slice(0, c.length - 1);
  return body + luhnDigit(body);
}

export interface HostStep {
  op: HostOperation;
  /** Index into the scenario's `terminals`. */
  terminal: number;
  /** Minor units (purchase, refund, pre-auth). */
  amount?: number;
  card?: ScenarioCard;
  fault?: HostFault;
}

export interface HostScenario {
  role: "host";
  /** Terminal IDs the kit plays; some may be deliberately unregistered. */
  terminals: string[];
  steps: HostStep[];
}

const money = (minor: number) => (minor / 100).toFixed(2);

/** One step as people read it in a counterexample: `T1 purchase(5.00)+drop`. */
export function describeStep(s: HostScenario, step: HostStep): string {
  const tid = s.terminals[step.terminal] ?? `#${step.terminal}`;
  const amount = step.amount !== undefined ? `(${money(step.amount)})` : "";
  const fault = step.fault ? `+${step.fault.kind}${step.fault.variant ? `:${step.fault.variant}` : ""}` : "";
  return `${tid} ${step.op}${amount}${fault}`;
}
