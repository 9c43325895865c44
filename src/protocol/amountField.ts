import type { Dialect } from "../iso8583/dialect.js";

/**
 * Zero and the largest amount the dialect's field 4 holds (999,999,999,999 for a fixed n12):
 * the boundary amounts the kit tries where the field's class allows them. A field 4 of another
 * kind (variable, not digits, longer than a safe integer) gives only zero.
 */
export function amountExtremes(dialect: Dialect): number[] {
  const spec = dialect.fields[4]?.spec;
  if (spec === undefined || spec.content !== "n" || spec.length_type !== "fixed" || spec.max_length > 15) return [0];
  return [0, 10 ** spec.max_length - 1];
}
