import { type DialectTable, type FieldTable, OPERATIONS, type Operation, type OperationRule, type TransactionRules } from "./dialectTable.js";
import { Iso8583Error } from "./errors.js";
import { FieldCodec } from "./field.js";
import { versionDigit } from "./mti.js";

/**
 * The MTI classes (its second digit) each operation may be sent in: 1 authorisation, 2 financial,
 * 5 reconciliation, 8 network management. A purchase in class 8 would be taken for a sign-on by
 * every property that reads MTIs; refused when the dialect loads, not judged wrong in a run.
 */
const CLASSES: Record<Operation, string> = {
  signon: "8",
  echo: "8",
  balance: "12",
  purchase: "12",
  void: "12",
  refund: "12",
  preauth: "1",
  settlement: "5",
};
const REVERSAL_CLASS = "4";
/** A request's function digit (the third): 0 a request, 2 an advice. Its answer adds one. */
const REQUEST_FUNCTIONS = "02";

/**
 * What an approval does to the batch totals, as the kit counts them (`tally`): the `effect` key
 * says the same for people, and a dialect that says otherwise is refused rather than ignored.
 */
const EFFECTS: Partial<Record<Operation, "debit" | "credit" | "cancel">> = { purchase: "debit", refund: "credit", void: "cancel" };

/** Two operations on one MTI are told apart only by a processing or network code both declare. */
function distinguishable(a: OperationRule, b: OperationRule): boolean {
  const differ = (x: string | undefined, y: string | undefined) => x !== undefined && y !== undefined && x !== y;
  return differ(a.processing_code, b.processing_code) || differ(a.network_code, b.network_code);
}

/**
 * Response codes and reversal reasons field 39 cannot carry: a one-byte BCD field 39 holds `00`,
 * never `A0`. Refused when the dialect loads, so no answer fails to encode in the middle of a run.
 */
export function codeProblems(rules: TransactionRules, fields: readonly FieldTable[]): string[] {
  const at = fields.findIndex((f) => f.number === 39);
  if (at < 0) return ["transactions: the dialect defines no field 39, which carries every response code"];
  const f39 = new FieldCodec(fields[at]);
  const out: string[] = [];
  const check = (path: string, code: string) => {
    try {
      f39.measure(code);
    } catch (e) {
      if (!(e instanceof Iso8583Error)) throw e;
      out.push(`${path}: "${code}" does not fit field 39 (fields[${at}]): ${e.reason}`);
    }
  };
  for (const [key, code] of Object.entries(rules.codes)) check(`transactions.codes.${key}`, code);
  for (const [key, code] of Object.entries(rules.reversal.reasons)) check(`transactions.reversal.reasons.${key}`, code);
  return out;
}

/**
 * An operation's extra `fields` must name fields the dialect defines, constants or copies alike:
 * the request could not carry one it does not; so must a key exchange's `working_keys`.
 */
export function extraFieldProblems(rules: TransactionRules, fields: readonly FieldTable[]): string[] {
  const defined = new Set(fields.map((f) => String(f.number)));
  const out: string[] = [];
  for (const [op, rule] of Object.entries(rules.operations)) {
    for (const [k, v] of Object.entries(rule?.fields ?? {})) {
      const path = `transactions.operations.${op}.fields.${k}`;
      if (!defined.has(k)) out.push(`${path}: the dialect defines no field ${k}`);
      if (typeof v !== "string" && !defined.has(v.copy)) out.push(`${path}.copy: the dialect defines no field ${v.copy} to copy`);
    }
  }
  // A key exchange's working keys likewise: a request the dialect cannot carry them in hands out none.
  for (const [i, answer] of (rules.profile?.answers ?? []).entries()) {
    if (typeof answer === "string" || answer.working_keys === undefined || defined.has(answer.working_keys)) continue;
    out.push(`transactions.profile.answers[${i}].working_keys: the dialect defines no field ${answer.working_keys}`);
  }
  return out;
}

/**
 * The MAC goes in a message's last field, so a field the kit puts on a MACed request above it
 * cannot be carried: refused when the dialect loads, not a pack error at the first reversal.
 * Field 90 goes on iso87 voids and refunds and on reversals with a new STAN; an operation's extra
 * `fields` go on its requests, and a financial one carries a MAC.
 */
export function macFieldProblems(table: DialectTable): string[] {
  const mac = table.mac;
  const rules = table.transactions;
  if (mac === null || rules === undefined) return [];
  const out: string[] = [];
  // Field 90 (original data): on iso87 voids and refunds, and on every reversal that takes a new STAN.
  if ((rules.style === "iso87" || rules.reversal.stan === "new") && mac.field < 90) {
    out.push(`mac.field: ${mac.field} comes before field 90, which ${rules.style === "iso87" ? "voids, refunds and reversals carry in the iso87 style" : "reversals with a new STAN carry"}: put the MAC in field 128`);
  }
  for (const [op, rule] of Object.entries(rules.operations)) {
    if (rule?.processing_code === undefined) continue;
    for (const k of Object.keys(rule.fields ?? {})) {
      if (Number(k) > mac.field) out.push(`transactions.operations.${op}.fields.${k}: field ${k} comes after the MAC field ${mac.field}, and a ${op} carries a MAC`);
    }
  }
  return out;
}

/** What is wrong with a dialect's transaction rules, as `path: text`, for `loadDialect`. */
export function operationProblems(rules: TransactionRules, isoVersion: 1987 | 1993): string[] {
  const out: string[] = [];
  const check = (path: string, mti: string, classes: string, what: string) => {
    if (mti[0] !== versionDigit(isoVersion)) out.push(`${path}: ${mti} is not an ISO 8583:${isoVersion} MTI (it starts with ${versionDigit(isoVersion)})`);
    if (!classes.includes(mti[1])) out.push(`${path}: ${mti} is not ${what} (its second digit must be ${[...classes].join(" or ")})`);
    if (!REQUEST_FUNCTIONS.includes(mti[2])) out.push(`${path}: ${mti} is not a request (its third digit must be 0 or 2)`);
  };
  check("transactions.reversal.mti", rules.reversal.mti, REVERSAL_CLASS, "a reversal");
  const ops = rules.operations;
  for (const [i, op] of OPERATIONS.entries()) {
    check(`transactions.operations.${op}.mti`, ops[op].mti, CLASSES[op], `an MTI class ${op} can be sent in`);
    const effect = ops[op].effect;
    if (effect !== undefined && effect !== EFFECTS[op]) {
      const does = EFFECTS[op] === undefined ? "leaves the totals alone" : `counts as a ${EFFECTS[op]}`;
      out.push(`transactions.operations.${op}.effect: ${effect} is not what isoconf does with a ${op}, which ${does}: leave the key out`);
    }
    const twin = OPERATIONS.slice(0, i).find((other) => ops[other].mti === ops[op].mti && !distinguishable(ops[other], ops[op]));
    if (twin !== undefined) {
      out.push(`transactions.operations.${op}: MTI ${ops[op].mti} is ${twin}'s too, and no processing_code or network_code tells them apart`);
    }
  }
  if (ops.advice !== undefined) out.push(...adviceProblems(ops.advice, rules, check));
  return out;
}

/**
 * An advice is sent in the authorisation or financial class with function 2 (0120, 0220), posts
 * as a debit, and its repeat differs from it in the last digit only (0221): a host finds the
 * original of a repeat by that MTI.
 */
function adviceProblems(advice: OperationRule, rules: TransactionRules, check: (path: string, mti: string, classes: string, what: string) => void): string[] {
  const out: string[] = [];
  const path = "transactions.operations.advice";
  check(`${path}.mti`, advice.mti, "12", "an MTI class an advice can be sent in");
  if (advice.mti[2] !== "2") out.push(`${path}.mti: ${advice.mti} is not an advice (its third digit must be 2)`);
  if (advice.effect !== undefined && advice.effect !== "debit") out.push(`${path}.effect: ${advice.effect} is not what isoconf does with an advice, which counts as a debit: leave the key out`);
  if (advice.processing_code === undefined) out.push(`${path}: an advice needs a processing_code (it posts)`);
  const repeat = advice.repeat_mti;
  if (repeat !== undefined && (repeat.slice(0, 3) !== advice.mti.slice(0, 3) || repeat === advice.mti)) {
    out.push(`${path}.repeat_mti: ${repeat} is not a repeat of ${advice.mti} (same first three digits, another last one)`);
  }
  const twin = OPERATIONS.find((op) => rules.operations[op].mti === advice.mti && !distinguishable(rules.operations[op], advice));
  if (twin !== undefined) out.push(`${path}: MTI ${advice.mti} is ${twin}'s too, and no processing_code or network_code tells them apart`);
  return out;
}
