import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";

/** The operations a card of a card file may be used for, as the scenarios name them. */
export const CARD_OPERATIONS = ["balance", "purchase", "void", "refund", "preauth"] as const;
export type CardOperationName = (typeof CARD_OPERATIONS)[number];

/**
 * One card of a lab's card file: a card the host under test knows. `track2` (PAN, `=` or `D`,
 * YYMM, service code and discretionary data) makes it swipeable; without it the card is keyed.
 * `balance`: its opening available balance in minor units, where known (the reference host opens
 * the card's account with it). `operations`: what it may be used for (default all); a scenario
 * never uses it for anything else.
 */
export const fileCardSchema = z
  .object({
    pan: z.string().regex(/^\d{12,19}$/, "12 to 19 digits"),
    /** YYMM */
    expiry: z.string().regex(/^\d{2}(0[1-9]|1[0-2])$/, "YYMM"),
    // ISO 7813 track 2 holds 37 characters; the ECR line (isoconf-ecr/1) 20 digits after the separator.
    track2: z
      .string()
      .regex(/^\d{12,19}[=D]\d{4}\d{0,16}$/, "PAN, = or D, YYMM, then at most 16 digits")
      .max(37, "at most 37 characters (ISO 7813 track 2)")
      .optional(),
    /** The cardholder's PIN (4 to 12 digits): the kit sends it as a PIN block in field 52. Masked in every output, as field 52 is. */
    pin: z.string().regex(/^\d{4,12}$/, "4 to 12 digits").optional(),
    // Field 54 carries 12 digits of minor units.
    balance: z.number().int("minor units: a whole number").min(0).max(999_999_999_999, "at most 999999999999 (12 digits, field 54)").optional(),
    operations: z.array(z.enum(CARD_OPERATIONS)).min(1).optional(),
    /** For people: what this card is (a test plan's name for it). Never a cardholder's name. */
    label: z.string().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.track2 !== undefined && !c.track2.startsWith(`${c.pan}=`) && !c.track2.startsWith(`${c.pan}D`)) ctx.addIssue({ code: "custom", path: ["track2"], message: "must start with the card's PAN, then = or D" });
    if (c.track2 !== undefined && c.track2.slice(c.pan.length + 1, c.pan.length + 5) !== c.expiry) ctx.addIssue({ code: "custom", path: ["track2"], message: "must carry the card's expiry (YYMM) after the separator" });
  });
export type FileCard = z.infer<typeof fileCardSchema>;

export const cardFileSchema = z
  .object({
    format: z.literal("isoconf-cards/1"),
    cards: z.array(fileCardSchema).min(1, "at least one card"),
  })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.cards.forEach((c, i) => {
      if (seen.has(c.pan)) ctx.addIssue({ code: "custom", path: ["cards", i, "pan"], message: "the same PAN as an earlier card" });
      seen.add(c.pan);
    });
  });
export type CardFile = z.infer<typeof cardFileSchema>;

/** A card file that cannot be used: the message names the file and the key, never a card number. */
export class CardFileError extends Error {
  override readonly name = "CardFileError";
}

/** A card file as a run uses it: its cards, and its path and digest for the scenario files. */
export interface LoadedCards {
  cards: readonly FileCard[];
  file: string;
  sha256: string;
}

/** Reads and checks a card file (`--cards`); errors name the key (`cards[2].track2: …`). */
export function readCardFile(path: string): LoadedCards {
  let text: string;
  let json: unknown;
  try {
    text = readFileSync(path, "utf8");
    json = JSON.parse(text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CardFileError(`${path}: ${code ? `cannot read the card file (${code})` : `not valid JSON (${(e as Error).message})`}`);
  }
  return { cards: checkCardFile(json, path).cards, file: resolve(path), sha256: createHash("sha256").update(text).digest("hex") };
}

export function checkCardFile(json: unknown, source: string): CardFile {
  const parsed = cardFileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  // The issue's path and message only: zod's own text may quote the value, a card number.
  const problems = parsed.error.issues.map((i) => `${i.path.map((k) => (typeof k === "number" ? `[${k}]` : `.${String(k)}`)).join("").replace(/^\./, "") || "(top level)"}: ${i.message}`);
  throw new CardFileError(`${source}: ${problems.join("; ")}`);
}

/** What a scenario uses a card for beyond the operations a file names: an advice is a purchase approved offline. */
const COUNTS_AS: Readonly<Record<string, CardOperationName>> = { advice: "purchase" };

/** Every operation a scenario may use a card of the file for: a run leaves out those no card allows. */
export const CARD_USES: readonly string[] = [...CARD_OPERATIONS, ...Object.keys(COUNTS_AS)];

/** Whether `card` may be used for `op` (an advice where it may be used for a purchase). */
export const cardAllows = (card: FileCard, op: string): boolean => card.operations === undefined || (card.operations as readonly string[]).includes(COUNTS_AS[op] ?? op);
