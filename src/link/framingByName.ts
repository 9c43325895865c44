import type { DialectTable } from "../iso8583/dialectTable.js";
import { ascii4 } from "./ascii4.js";
import { bcd2 } from "./bcd2.js";
import { binary2 } from "./binary2.js";
import { binary4 } from "./binary4.js";
import type { Framing } from "./framing.js";
import type { LengthFramingOptions } from "./lengthFraming.js";
import { LinkError, reasons } from "./linkError.js";
import { none } from "./none.js";
import { stxEtx } from "./stxEtx.js";

/** Every framing a config string can name. */
const framings = {
  binary2,
  bcd2,
  ascii4,
  binary4,
  none: (options: LengthFramingOptions) => none(withoutHeaderOptions("none", options)),
  "stx-etx": (options: LengthFramingOptions) => stxEtx(withoutHeaderOptions("stx-etx", options)),
} satisfies Record<string, (options: LengthFramingOptions) => Framing>;

export type FramingName = keyof typeof framings;

/** The names `framingByName` knows, in the order error texts list them. */
export const framingNames = Object.keys(framings) as FramingName[];

/**
 * A dialect's `framing` as an object (declared with the dialect table), for headers that do not
 * count the body's bytes alone: `{"name": "ascii4", "length_counts": "hex_chars", "includes_header": true}`.
 */
export type FramingSpec = Exclude<DialectTable["framing"], string>;

/** The framing a config string (or a dialect's framing object) names, e.g. `framingByName("bcd2", { maxFrame: 4096 })`. */
export function framingByName(spec: string | FramingSpec, options: LengthFramingOptions = {}): Framing {
  const { name, length_counts, includes_header } = typeof spec === "string" ? { name: spec } : spec;
  if (!Object.hasOwn(framings, name)) throw new LinkError("invalid_config", reasons.unknownFraming(name, framingNames));
  return framings[name as FramingName]({
    ...options,
    ...(length_counts === undefined ? {} : { lengthCounts: length_counts }),
    ...(includes_header === undefined ? {} : { lengthIncludesHeader: includes_header }),
  });
}

/** Framings without a length header would silently ignore this option; refuse it instead. */
function withoutHeaderOptions(name: string, options: LengthFramingOptions): LengthFramingOptions {
  if (options.lengthIncludesHeader || options.lengthCounts === "hex_chars") throw new LinkError("invalid_config", reasons.includesHeaderNotApplicable(name));
  return options;
}
