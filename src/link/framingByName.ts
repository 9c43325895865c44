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

/** The framing a config string names, e.g. `framingByName("bcd2", { maxFrame: 4096 })`. */
export function framingByName(name: string, options: LengthFramingOptions = {}): Framing {
  if (!Object.hasOwn(framings, name)) throw new LinkError("invalid_config", reasons.unknownFraming(name, framingNames));
  return framings[name as FramingName](options);
}

/** Framings without a length header would silently ignore this option; refuse it instead. */
function withoutHeaderOptions(name: string, options: LengthFramingOptions): LengthFramingOptions {
  if (options.lengthIncludesHeader) throw new LinkError("invalid_config", reasons.includesHeaderNotApplicable(name));
  return options;
}
