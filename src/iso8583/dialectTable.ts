import { z } from "zod";
import { TIME_FORMAT } from "./timeFormats.js";
import { CONTENT_CLASSES } from "./content.js";
import { LENGTH_PREFIX_ENCODINGS } from "./lengths.js";

/**
 * The shape of a dialect file (`iso8583-dialect-table/1`): the built-in dialects are JSON in
 * exactly the shape a user writes. Keys, once:
 *
 * | key | meaning |
 * |---|---|
 * | `header` | `null`, or a fixed binary header (`bytes`, optional `default` hex, `parts` for display) |
 * | `mti` | `{encoding: ascii|bcd, bytes: 4|2}` |
 * | `bitmap` | `{encoding: binary|ascii_hex, secondary_bitmap}`: a secondary bitmap only with a field above 64 |
 * | `iso_version` | 1987 or 1993: the MTI's first digit and the response code table |
 * | `undefined_fields` | bit numbers that must not be set |
 * | `framing` | default transport framing name (`binary2`, `ascii4`, ...) |
 * | `mac` | `null`, or `{algorithm: cup-ecb|x9.9|x9.19, field, verify: approvals|always}` |
 * | `response_codes` | which response code table applies (`iso87_cup`, `iso93`) |
 * | `transactions` | optional: how transactions are carried (operations, codes, reversal policy); see below |
 * | `fields[]` | one flat record per field, keys below |
 *
 * Field keys: `data_encoding` ascii|bcd|binary; `length_type` fixed|LL|LLL|LLLL;
 * `length_prefix_encoding` ascii|bcd|binary (null when fixed); `length_prefix_bytes`;
 * `max_length` (the length of a fixed field); `length_unit` bytes|digits (digits: BCD nibbles);
 * `pad` `{side: left|right, char}` for odd BCD digit counts (`left` = right-aligned value);
 * `content` n|z|an|ans|hex|b|x+n.
 */
const fieldSchema = z
  .object({
    number: z.number().int().min(2).max(128),
    description: z.string().optional(),
    iso_format: z.string().optional(),
    note: z.string().optional(),
    /** Fields 7, 12 and 13: the date and time form, where the length leaves it open (`YYMMDDhh`). */
    time_format: z.string().regex(TIME_FORMAT, "made of CCYY, YY, MM, DD, hh, mm and ss").optional(),
    content: z.enum(CONTENT_CLASSES),
    data_encoding: z.enum(["ascii", "bcd", "binary"]),
    length_type: z.enum(["fixed", "LL", "LLL", "LLLL"]),
    length_prefix_encoding: z.enum(LENGTH_PREFIX_ENCODINGS).nullable(),
    length_prefix_bytes: z.number().int().min(1).max(4).nullable(),
    /**
     * 3: an LLL BCD prefix of three nibbles, the data's first digit in its second byte's low nibble
     * ("LLL in 1.5 bytes"); BCD data counting digits only, any filler at the end.
     */
    length_prefix_nibbles: z.literal(3).optional(),
    max_length: z.number().int().min(1).max(99999),
    length_unit: z.enum(["bytes", "digits"]),
    pad: z
      .object({ side: z.enum(["left", "right"]), char: z.string().regex(/^[0-9A-F]$/, "one hex digit") })
      .strict()
      .nullable(),
  })
  .strict();

const code = z.string().regex(/^[0-9A-Z]{2,3}$/, "a response code such as 00 or A0");
const digits = (n: number) => z.string().regex(new RegExp(`^[0-9]{${n}}$`), `${n} digits`);

/**
 * One operation a terminal can start. `effect` says what an approval does to the batch totals:
 * `debit` adds (purchase), `credit` adds to refunds, `cancel` takes back its original (void).
 * The kit counts them so whatever the table says; `operationProblems` refuses a table that
 * says otherwise.
 */
const operationSchema = z
  .object({
    mti: digits(4),
    processing_code: digits(6).optional(),
    pos_condition: digits(2).optional(),
    type_code: digits(2).optional(),
    network_code: digits(3).optional(),
    reversible: z.boolean().optional(),
    effect: z.enum(["debit", "credit", "cancel"]).optional(),
    /** The MTI a repeat of this message carries (ISO 8583:1987: the last digit 1, 0221 for 0220); absent: a repeat is sent as the first was. */
    repeat_mti: digits(4).optional(),
    /**
     * Fields the SUT wants on this operation beyond the kit's own, by number: a constant
     * (`"25": "08"`), or a copy of another field of the same request (`"51": {"copy": "49"}`, the
     * billing currency from the transaction's). The reference host then requires them too.
     */
    fields: z
      .record(z.string().regex(/^\d{1,3}$/, "a field number"), z.union([z.string(), z.object({ copy: z.string().regex(/^\d{1,3}$/, "a field number") }).strict()]))
      .optional(),
  })
  .strict();

export const OPERATIONS = ["signon", "echo", "balance", "purchase", "void", "refund", "preauth", "settlement"] as const;

/**
 * Operations a dialect may leave out of `operations` (older dialect files do): `advice`, a
 * store-and-forward notice of a transaction already approved (a purchase approved offline), which
 * the host posts and acknowledges (0220/0230, or 0120/0130) and which the terminal repeats
 * (`repeat_mti`) until acknowledged.
 */
export const OPTIONAL_OPERATIONS = ["advice"] as const;

/**
 * The transaction rules the simulators, the kit's roles and the properties share.
 * `style` says where the dialect carries its batch, network code, original data and totals:
 * `cup` in fields 60, 61 and 48; `iso87` in fields 70, 90 and 74/76/86/88.
 * `reversal.stan`: `same` reuses the original's STAN (CUP); `new` takes a new one and names the
 * original in field 90.
 */
/**
 * What the SUT does beyond the message formats, as far as the kit must adapt to it: whether the
 * kit signs its terminals on (`kit`), the SUT needs no sign-on (`none`) or the host signs on
 * itself, sending a sign-on request down each new link that the kit answers (`host`); which
 * network requests the SUT starts that the kit answers (`answers`: `signon`, `echo`, or one the
 * dialect has no operation for as `{name, mti, network_code}`, such as a key exchange, with
 * `working_keys` naming the field whose new keys the kit adopts; default
 * `signon` and `echo` with `host`, none otherwise); whether swiped cards carry field 2 beside track 2 (`field_2`:
 * `always`, or `keyed` for keyed cards only; default `always` in the CUP style); whether batches close
 * with a settlement carrying totals (`totals`) or the SUT has no settlement (`none`); whether a
 * balance inquiry's answer reports the card's available balance in field 54 (`inquiry`), which
 * the kit then reads before and after a scenario's steps to see what the host posted; whether
 * each terminal has its own connection (`per_terminal`) or one link carries every terminal
 * (`shared`, as a host that dials out over one line); whether the SUT takes advices (`advices`:
 * `accepts`, the default where the dialect defines the `advice` operation, or `none`); whether
 * the host's authorisation codes (field 38) must be unique per approval as its RRNs are
 * (`auth_codes`: `unique`, or `any`, the default: neither ISO 8583 nor CUP requires it). Absent
 * keys are the CUP shape as the kit has always played it: `kit`, `totals`, balances `none`,
 * links `per_terminal`.
 */
export const profileSchema = z
  .object({
    sign_on: z.enum(["kit", "none", "host"]).optional(),
    answers: z
      .array(
        z.union([
          z.enum(["signon", "echo"]),
          // A request of the SUT's own the dialect has no operation for (a key exchange), by MTI and
          // network code; `working_keys`: the field carrying new working keys as a sign-on reply's
          // field 62 does (each under the TMK, followed by its check value), which the kit adopts.
          z.object({ name: z.string().min(1), mti: digits(4), network_code: digits(3), working_keys: z.string().regex(/^[1-9][0-9]{0,2}$/, "expected a field number").optional() }).strict(),
        ]),
      )
      .optional(),
    field_2: z.enum(["always", "keyed"]).optional(),
    settlement: z.enum(["totals", "none"]).optional(),
    balances: z.enum(["none", "inquiry"]).optional(),
    links: z.enum(["per_terminal", "shared"]).optional(),
    advices: z.enum(["none", "accepts"]).optional(),
    auth_codes: z.enum(["any", "unique"]).optional(),
  })
  .strict();

const transactionsSchema = z
  .object({
    style: z.enum(["cup", "iso87"]),
    currency: digits(3),
    matching_key: z.array(z.string().regex(/^\d{1,3}$/)).min(1),
    codes: z
      .object({
        approved: code,
        unknown_terminal: code,
        duplicate: code,
        format_error: code,
        original_not_found: code,
        invalid_transaction: code,
        insufficient_funds: code,
        do_not_honour: code,
        system_error: code,
        mac_error: code,
        reconcile_error: code,
        exceeds_limit: code,
        /** Optional (older dialect files lack it): the amount is not one the host accepts, such as zero (13). */
        invalid_amount: code.optional(),
        /** A PIN block that does not carry the card's PIN (55); where absent, the reference host uses do_not_honour. */
        incorrect_pin: code.optional(),
      })
      .strict(),
    reversal: z
      .object({
        mti: digits(4),
        stan: z.enum(["same", "new"]),
        reasons: z.object({ no_answer: code, bad_mac: code, other: code }).strict(),
        attempts: z.number().int().min(1).max(10),
      })
      .strict(),
    operations: z
      .object({
        ...(Object.fromEntries(OPERATIONS.map((o) => [o, operationSchema])) as Record<(typeof OPERATIONS)[number], typeof operationSchema>),
        advice: operationSchema.optional(),
      })
      .strict(),
    profile: profileSchema.optional(),
  })
  .strict();

const headerSchema = z
  .object({
    encoding: z.literal("binary"),
    bytes: z.number().int().min(1).max(64),
    default: z.string().regex(/^([0-9A-F]{2})+$/, "upper-case hex").optional(),
    // For people: the parts of the header (CUP's TPDU and header), as a dump names them.
    parts: z
      .array(z.object({ name: z.string(), bytes: z.number().int().min(1), layout: z.string().optional() }).strict())
      .optional(),
    note: z.string().optional(),
  })
  .strict();

export const dialectTableSchema = z
  .object({
    table_format: z.literal("iso8583-dialect-table/1"),
    dialect: z.string().regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, . _ -"),
    title: z.string().optional(),
    source: z.string().optional(),
    header: headerSchema.nullable(),
    mti: z.union([
      z.object({ encoding: z.literal("ascii"), bytes: z.literal(4) }).strict(),
      z.object({ encoding: z.literal("bcd"), bytes: z.literal(2) }).strict(),
    ]),
    bitmap: z
      .object({
        encoding: z.enum(["binary", "ascii_hex"]),
        /** 8 (binary) or 16 (ascii_hex): checked against the encoding, which decides. */
        bytes_per_bitmap: z.number().int().optional(),
        // For people, like every `note`, `title` and `source`: encoding writes upper case, decoding reads either.
        hex_case: z.string().optional(),
        secondary_bitmap: z.boolean(),
        secondary_rule: z.string().optional(),
        tertiary_bitmap: z.literal(false).optional(),
      })
      .strict(),
    iso_version: z.union([z.literal(1987), z.literal(1993)]),
    // For people: `framing` is what the kit reads.
    transport: z.unknown().optional(),
    undefined_fields: z.array(z.number().int().min(1).max(128)),
    notes: z.array(z.string()).optional(),
    /** A framing name (`binary2`), or `{name, length_counts: bytes|hex_chars, includes_header}`. */
    framing: z.union([
      z.string(),
      z.object({ name: z.string(), length_counts: z.enum(["bytes", "hex_chars"]).optional(), includes_header: z.boolean().optional() }).strict(),
    ]),
    mac: z
      .object({
        algorithm: z.enum(["cup-ecb", "x9.9", "x9.19"]),
        field: z.union([z.literal(64), z.literal(128)]),
        verify: z.enum(["approvals", "always"]),
      })
      .strict()
      .nullable(),
    response_codes: z.enum(["iso87_cup", "iso93"]),
    transactions: transactionsSchema.optional(),
    fields: z.array(fieldSchema).min(1),
  })
  .strict();

export type DialectTable = z.infer<typeof dialectTableSchema>;
export type FieldTable = z.infer<typeof fieldSchema>;
export type TransactionRules = z.infer<typeof transactionsSchema>;
export type OperationRule = z.infer<typeof operationSchema>;
export type Operation = (typeof OPERATIONS)[number];
/** Any operation a request can be: the ones every dialect defines, and those it may (`OPTIONAL_OPERATIONS`). */
export type RequestOperation = Operation | (typeof OPTIONAL_OPERATIONS)[number];
export type SutProfileTable = z.infer<typeof profileSchema>;
