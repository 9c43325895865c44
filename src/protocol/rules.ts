import { DialectError, type Dialect } from "../iso8583/dialect.js";
import { OPERATIONS, type Operation, type OperationRule, type RequestOperation, type TransactionRules } from "../iso8583/dialectTable.js";

/**
 * The dialect's transaction rules; a dialect file without them can decode and encode but not
 * transact. `isoconf run` asks for them before it starts, so such a file stops it with one line.
 */
export function rulesOf(dialect: Dialect): TransactionRules {
  const rules = dialect.table.transactions;
  if (rules === undefined) {
    throw new DialectError(
      `${dialect.source}: dialect ${dialect.name} has no "transactions" section: it can decode and encode frames, ` +
        `but isoconf cannot build or judge transactions with it (see the one in 'isoconf dialects cup')`,
    );
  }
  return rules;
}

export function operationRule(dialect: Dialect, op: Operation): OperationRule {
  return rulesOf(dialect).operations[op];
}

/**
 * Whether an MTI is a request or an advice (0200, 0420): its third digit, the function, is even;
 * responses have it odd (0210, 0430). Anything but four digits is no request.
 */
export function isRequestMti(mti: string): boolean {
  const f = mti.charCodeAt(2) - 48;
  return mti.length === 4 && f >= 0 && f <= 9 && f % 2 === 0;
}

/**
 * The response MTI: the request's with its third digit's function +1 (0200 → 0210, 0820 → 0830).
 * A repeat (an odd last digit, ISO 8583:1987's "repeat" origins: 0221, 0401) is answered as its
 * original is: 0221 → 0230.
 */
export function responseMti(mti: string): string {
  const origin = Number(mti[3]);
  return mti.slice(0, 2) + String((Number(mti[2]) + 1) % 10) + (origin % 2 === 1 ? String(origin - 1) : mti[3]);
}

/** The dialect's advice operation, where it defines one (older dialect files do not). */
export function adviceRule(dialect: Dialect): OperationRule | undefined {
  return rulesOf(dialect).operations.advice;
}

/** The rule of any operation; an advice the dialect does not define is an error naming it. */
export function requestRule(dialect: Dialect, op: RequestOperation): OperationRule {
  if (op !== "advice") return rulesOf(dialect).operations[op];
  const rule = adviceRule(dialect);
  if (rule === undefined) throw new Error(`dialect ${dialect.name} defines no advice (transactions.operations.advice)`);
  return rule;
}

/** The MTI of the message `mti` repeats (the advice's for its `repeat_mti`), or `mti` itself. */
export function originalMti(dialect: Dialect, mti: string): string {
  const advice = adviceRule(dialect);
  return advice?.repeat_mti === mti ? advice.mti : mti;
}

/** Whether a request is an advice, first sent or repeated (its MTI and processing code). */
export function isAdvice(dialect: Dialect, m: { mti: string; fields: Record<string, string> }): boolean {
  const advice = adviceRule(dialect);
  return advice !== undefined && originalMti(dialect, m.mti) === advice.mti && m.fields["3"] === advice.processing_code;
}

/** The operations by MTI, per dialect, in table order: built once, looked up per message. */
const byMti = new WeakMap<Dialect, Map<string, [Operation, OperationRule][]>>();

function operationsWithMti(dialect: Dialect, mti: string): [Operation, OperationRule][] | undefined {
  let index = byMti.get(dialect);
  if (index === undefined) {
    index = new Map();
    // The operations every dialect has: an advice is told by `isAdvice`, so `Operation` stays what it was.
    for (const name of OPERATIONS) {
      const rule = rulesOf(dialect).operations[name];
      index.set(rule.mti, [...(index.get(rule.mti) ?? []), [name, rule]]);
    }
    byMti.set(dialect, index);
  }
  return index.get(mti);
}

/** Which operation a request is, from its MTI and processing code; undefined when none matches. */
export function operationOf(dialect: Dialect, mti: string, processingCode: string | undefined, networkCode?: string): Operation | undefined {
  for (const [name, rule] of operationsWithMti(dialect, mti) ?? []) {
    if (rule.processing_code !== undefined && rule.processing_code !== processingCode) continue;
    if (rule.network_code !== undefined && networkCode !== undefined && rule.network_code !== networkCode) continue;
    return name;
  }
  return undefined;
}

/** Whether a request is a financial transaction (it has a processing code): one that can post. */
export function isFinancial(dialect: Dialect, m: { mti: string; fields: Record<string, string> }): boolean {
  if (isAdvice(dialect, m)) return true;
  const op = operationOf(dialect, m.mti, m.fields["3"]);
  return op !== undefined && rulesOf(dialect).operations[op].processing_code !== undefined;
}
