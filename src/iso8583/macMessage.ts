import type { Dialect } from "./dialect.js";
import { computeMac, type MacAlgorithm } from "./mac.js";
import type { Message } from "./message.js";
import { pack } from "./pack.js";

/** Every MAC here is one DES block. */
const MAC_BYTES = 8;

type MacSpec = NonNullable<Dialect["table"]["mac"]>;

function macSpec(dialect: Dialect, m: Message): MacSpec {
  const mac = dialect.table.mac;
  if (mac === null) throw new Error(`dialect ${dialect.name} has no MAC (its "mac" key is null)`);
  // The MAB ends where the MAC field starts only if nothing follows it. The dialect's numbers
  // above it are looked up (a for-in makes a string per key): a key the dialect has no field for
  // cannot be packed, so no frame carries one.
  const numbers = dialect.fieldNumbers;
  for (let i = numbers.length - 1; i >= 0 && numbers[i] > mac.field; i--) {
    if (m.fields[numbers[i]] !== undefined) throw new Error(`field ${numbers[i]} follows the MAC field ${mac.field}: the MAC must be the message's last field`);
  }
  return mac;
}

/** Bytes the MAC field takes at the end of a frame: 8 binary bytes, or 16 hex characters. */
function macWireBytes(dialect: Dialect, field: number): { wire: number; hexText: boolean } {
  const codec = dialect.fields[field]!;
  const hexText = codec.spec.data_encoding !== "binary";
  return { wire: codec.wireBytes(hexText ? 2 * MAC_BYTES : MAC_BYTES), hexText };
}

/** The MAC of `frame`, whose MAC field (last in the frame) takes `wire` bytes. */
function macOf(dialect: Dialect, frame: Buffer, algorithm: MacAlgorithm, wire: number, key: Buffer): Buffer {
  // The MAB runs from the MTI to the end of the last field before the MAC (header excluded).
  return computeMac(algorithm, key, frame.subarray(dialect.headerBytes, frame.length - wire));
}

const PLACEHOLDER = "0".repeat(2 * MAC_BYTES);

/**
 * Packs `message` with its MAC field computed under `key` (any value it had is replaced). The
 * MAC field is the last in the frame and of fixed size, so it is packed as a placeholder and
 * overwritten in place: one pack, not two.
 */
export function packWithMac(dialect: Dialect, message: Message, key: Buffer): Buffer {
  const spec = macSpec(dialect, message);
  return writeMac(dialect, pack(dialect, { ...message, fields: { ...message.fields, [spec.field]: PLACEHOLDER } }), spec, key);
}

/**
 * Overwrites, in place, the MAC field at the end of `frame` (which carries one, as `message` says)
 * with the MAC of the frame's bytes as they are under `key`: for a frame patched after packing,
 * so that only what was patched is wrong.
 */
export function rewriteMac(dialect: Dialect, frame: Buffer, message: Message, key: Buffer): Buffer {
  return writeMac(dialect, frame, macSpec(dialect, message), key);
}

/** `rewriteMac` once the message is checked: packing a MAC is a hot path, so the checks run once. */
function writeMac(dialect: Dialect, frame: Buffer, { algorithm, field }: MacSpec, key: Buffer): Buffer {
  const { wire, hexText } = macWireBytes(dialect, field);
  const mac = macOf(dialect, frame, algorithm, wire, key);
  if (hexText) frame.write(mac.toString("hex").toUpperCase(), frame.length - 2 * MAC_BYTES, "latin1");
  else mac.copy(frame, frame.length - MAC_BYTES);
  return frame;
}

/**
 * Whether a decoded frame's MAC verifies under `key`: `missing` when the MAC field is absent,
 * `bad` when it does not match.
 */
export function checkMac(dialect: Dialect, frame: Buffer, message: Message, key: Buffer): "ok" | "missing" | "bad" {
  const { algorithm, field } = macSpec(dialect, message);
  const got = message.fields[String(field)];
  if (got === undefined) return "missing";
  return got.toUpperCase() === macOf(dialect, frame, algorithm, macWireBytes(dialect, field).wire, key).toString("hex").toUpperCase() ? "ok" : "bad";
}
