import { luhnDigit } from "../../src/scenario/scenario.js";

/**
 * Finds card numbers in output text, in the forms a leak takes: digit runs in the text itself
 * (a BCD PAN reads as its digits in hex), and digits inside hex runs decoded to bytes (an ASCII
 * PAN written as hex). A card number is a run of 13-19 digits that passes the Luhn check.
 */
export const luhnValid = (digits: string): boolean => luhnDigit(digits.slice(0, -1)) === digits.at(-1);

/**
 * Luhn-valid runs of 13-19 digits in `text` that start with 1-9: no card number starts with 0
 * (ISO/IEC 7812 reserves it), while amounts, headers and dates are full of zero-led digit runs.
 */
function digitRuns(text: string): string[] {
  return [...text.matchAll(/(?<!\d)[1-9]\d{12,18}(?!\d)/g)].map((m) => m[0]).filter(luhnValid);
}

/** Every card-number-like run in `text`, as ASCII and inside hex. */
export function cardNumbersIn(text: string): string[] {
  const found = digitRuns(text);
  for (const m of text.matchAll(/(?:[0-9A-Fa-f]{2}){13,}/g)) found.push(...digitRuns(Buffer.from(m[0], "hex").toString("latin1")));
  return found;
}

/** Where any of `secrets` stands in `text`: as is, as hex of its ASCII bytes, in upper or lower case. */
export function secretsIn(text: string, secrets: readonly string[]): string[] {
  const upper = text.toUpperCase();
  return secrets.filter((s) => upper.includes(s.toUpperCase()) || upper.includes(Buffer.from(s, "latin1").toString("hex").toUpperCase()));
}
