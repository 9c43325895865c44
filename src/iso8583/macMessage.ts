import type { Dialect } from "./dialect.js";
import { computeMac } from "./mac.js";
import type { Message } from "./message.js";
import { pack } from "./pack.js";

/** Every MAC here is one DES block. */
const MAC_BYTES = 8;

function macSpec(dialect: Dialect) {
  const mac = dialect.table.mac;
  if (mac === null) throw new Error(`dialect ${dialect.name} has no MAC (its "mac" key is null)`);
  return mac;
}

/** The MAC field's value for `frame`, whose MAC field (last in the frame) is present. */
function macValue(dialect: Dialect, frame: Buffer, key: Buffer): string {
  const { algorithm, field } = macSpec(dialect);
  const codec = dialect.fields[field]!;
  // The MAB runs from the MTI to the end of the last field before the MAC (header excluded).
  const macWire = codec.wireBytes(codec.spec.data_encoding === "binary" ? MAC_BYTES : 2 * MAC_BYTES);
  const mab = frame.subarray(dialect.headerBytes, frame.length - macWire);
  return computeMac(algorithm, key, mab).toString("hex").toUpperCase();
}

/** Packs `message` with its MAC field computed under `key` (any value it had is replaced). */
export function packWithMac(dialect: Dialect, message: Message, key: Buffer): Buffer {
  const { field } = macSpec(dialect);
  const placeholder = { ...message, fields: { ...message.fields, [field]: "0".repeat(2 * MAC_BYTES) } };
  return pack(dialect, { ...message, fields: { ...message.fields, [field]: macValue(dialect, pack(dialect, placeholder), key) } });
}

/**
 * Whether a decoded frame's MAC verifies under `key`: `missing` when the MAC field is absent,
 * `bad` when it does not match.
 */
export function checkMac(dialect: Dialect, frame: Buffer, message: Message, key: Buffer): "ok" | "missing" | "bad" {
  const { field } = macSpec(dialect);
  const got = message.fields[String(field)];
  if (got === undefined) return "missing";
  return got.toUpperCase() === macValue(dialect, frame, key) ? "ok" : "bad";
}
