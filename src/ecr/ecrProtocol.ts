import { z } from "zod";
import type { Totals } from "../protocol/index.js";

/** The protocol name and version every frame carries in `v` (docs/ecr-protocol.md). */
export const ECR_PROTOCOL = "isoconf-ecr/1";

/** Amounts are integers in minor units (cents, fen), at most 12 digits as field 4 carries them. */
const amount = z
  .number({ error: (issue) => (issue.input === undefined ? "missing" : "expected a number of minor units, such as 500 for 5.00") })
  .int("expected a whole number of minor units")
  .min(1, "expected at least 1")
  .max(999_999_999_999, "expected at most 12 digits");
const stan = z.string({ error: (issue) => (issue.input === undefined ? "missing" : "expected a string") }).regex(/^\d{6}$/, "expected 6 digits");
const card = z
  .object({
    pan: z.string().regex(/^\d{12,19}$/, "expected 12 to 19 digits"),
    expiry: z.string().regex(/^\d{4}$/, "expected YYMM"),
    track2: z.string().regex(/^\d{12,19}=\d{1,20}$/, "expected PAN=data, digits only").optional(),
  })
  .strict();

const commandSchema = z.discriminatedUnion("cmd", [
  z.object({ cmd: z.literal("sale"), amount, card: card.optional() }).strict(),
  z.object({ cmd: z.literal("void"), stan }).strict(),
  z.object({ cmd: z.literal("refund"), amount, stan: stan.optional(), card: card.optional() }).strict(),
  z.object({ cmd: z.literal("balance"), card: card.optional() }).strict(),
  z.object({ cmd: z.literal("settle") }).strict(),
  z.object({ cmd: z.literal("signon") }).strict(),
  z.object({ cmd: z.literal("status") }).strict(),
]);

/** What the ECR asks the terminal to do (the frame's fields other than `v` and `id`). */
export type EcrCommand = z.infer<typeof commandSchema>;
export type EcrCommandName = EcrCommand["cmd"];

/** The pending reversal as `status` and results report it. */
export interface ReversalReport {
  /** The STAN of the transaction it reverses. */
  stan: string;
  /** The reason it carries in field 39: 98, A0 or 06. */
  reason: string;
  attempts: number;
  /** `pending`: still to be sent; `acknowledged`: the host answered it; `dropped`: attempts ran out. */
  state: "pending" | "acknowledged" | "dropped";
  /** The host's code when acknowledged. */
  code?: string;
}

/** The terminal's answer to one command. Which optional fields are set depends on the command. */
export interface EcrResult {
  result: "approved" | "declined" | "error";
  /** One line for the cashier. */
  message: string;
  /** The host's response code (field 39), when a valid answer came. */
  code?: string;
  /** The transaction's STAN; for `status`, the last STAN used. */
  stan?: string;
  rrn?: string;
  auth?: string;
  /** Minor units. */
  amount?: number;
  /** Reversals this command dealt with, in order: one it sent first, one its own request left pending. */
  reversals?: ReversalReport[];
  /** `balance`: the balance the host reported (field 54) in minor units; negative when overdrawn. */
  balance?: number;
  /** `settle`: whether the host's totals agreed. */
  balanced?: boolean;
  /** `settle`: the batch settled; `status`: the open batch. */
  batch?: string;
  /** `settle`: the totals sent; `status`: the open batch's totals. */
  totals?: Totals;
  /** `status` only. */
  tid?: string;
  signedOn?: boolean;
  pendingReversal?: ReversalReport | null;
}

/** A result as it travels: the result plus the protocol, and the id and name of its command. */
export type EcrResultFrame = EcrResult & { v: typeof ECR_PROTOCOL; id: string | null; cmd: EcrCommandName | null };

/** How long one connection attempt to the host may take (tcpConnect's default). */
const CONNECT_MS = 5_000;

/**
 * How long an ECR should wait for a result: the pending reversal's attempts and the command's
 * own request may each need a connection and a full response timeout, plus a margin for the
 * terminal's own work (docs/ecr-protocol.md, "Flow and deadlines").
 */
export function resultDeadlineMs(responseTimeoutMs: number, reversalAttempts: number): number {
  return (reversalAttempts + 1) * (responseTimeoutMs + CONNECT_MS) + CONNECT_MS;
}

/** A decoded command frame, or why it is not one (`id` and `cmd` are null when they could not be read). */
export type ParsedCommand = { id: string; command: EcrCommand } | { id: string | null; cmd: EcrCommandName | null; error: string };

const COMMAND_NAMES: readonly string[] = commandSchema.options.map((o) => o.shape.cmd.value);

/** Reads one command frame: `{"v":"isoconf-ecr/1","id":"…","cmd":"…",…}`. */
export function parseEcrCommand(text: string): ParsedCommand {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { id: null, cmd: null, error: "the frame is not JSON" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return { id: null, cmd: null, error: "the frame is not a JSON object" };
  const { v, id, ...rest } = json as Record<string, unknown>;
  const cmd = typeof rest.cmd === "string" && COMMAND_NAMES.includes(rest.cmd) ? (rest.cmd as EcrCommandName) : null;
  if (typeof id !== "string" || id.length === 0 || id.length > 64) return { id: null, cmd, error: "id must be a string of 1 to 64 characters" };
  if (v !== ECR_PROTOCOL) return { id, cmd, error: `v must be "${ECR_PROTOCOL}", got ${JSON.stringify(v) ?? "nothing"}` };
  if (cmd === null) return { id, cmd, error: `cmd must be one of ${COMMAND_NAMES.join(", ")}, got ${JSON.stringify(rest.cmd) ?? "nothing"}` };
  const parsed = commandSchema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { id, cmd, error: `${issue.path.join(".") || "command"}: ${issue.message}` };
  }
  return { id, command: parsed.data };
}

/** One result frame's JSON text, echoing the command's id and name. */
export function formatEcrResult(id: string | null, cmd: EcrCommandName | null, result: EcrResult): string {
  return JSON.stringify({ v: ECR_PROTOCOL, id, cmd, ...result });
}
