import type { Dialect } from "../iso8583/dialect.js";
import { rewriteMac } from "../iso8583/macMessage.js";
import type { Message } from "../iso8583/message.js";
import { writeRawDigits } from "../iso8583/rawDigits.js";
import { macRequired } from "../protocol/index.js";
import type { HostileAmountVariant } from "../scenario/scenario.js";

/** Field 4's digits as a lax parser would still read them: `-00000001000`, `        1000`. */
export function hostileAmountText(digits: string, variant: HostileAmountVariant): string {
  if (variant === "negative") return `-${digits.slice(1)}`;
  // At least the last digit stays: a zero amount is "           0", not all spaces.
  return digits.replace(/^0+(?=\d)/, (zeros) => " ".repeat(zeros.length));
}

/**
 * The request's frame with field 4 written as `variant` says, and its MAC (where the request
 * carries one) computed over the bytes as sent, so that the amount is all that is wrong; or
 * undefined when the request has no field 4 the dialect lets raw text into, or the variant
 * leaves it digits (no leading zero to pad: 999999999999).
 */
export function hostileAmountFrame(dialect: Dialect, frame: Buffer, request: Message, variant: HostileAmountVariant, mak: Buffer): { frame: Buffer; amount: string } | undefined {
  const digits = request.fields["4"];
  if (digits === undefined) return undefined;
  const amount = hostileAmountText(digits, variant);
  if (amount === digits) return undefined;
  const patched = writeRawDigits(dialect, frame, "4", amount);
  if (patched === undefined) return undefined;
  return { frame: macRequired(dialect, request) ? rewriteMac(dialect, patched, request, mak) : patched, amount };
}
