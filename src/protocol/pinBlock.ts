import { decryptKey, encryptKey } from "../iso8583/mac.js";

/**
 * ISO 9564-1 format 0 PIN blocks, field 52: the PIN field (`0`, the PIN's length, the PIN, `F`
 * filler to 16 hex digits) XOR the PAN field (`0000` and the PAN's 12 rightmost digits before the
 * check digit), encrypted under the PIN key (DES/3DES ECB, one block: as a working key is).
 */
const PIN = /^\d{4,12}$/;

function panField(pan: string): Buffer {
  return Buffer.from(`0000${pan.slice(0, -1).slice(-12).padStart(12, "0")}`, "hex");
}

/** Field 52 (hex) for `pin` on the card `pan`, under the PIN key. */
export function pinBlock(pin: string, pan: string, pik: Buffer): string {
  if (!PIN.test(pin)) throw new RangeError("a PIN is 4 to 12 digits");
  const clear = Buffer.from(`0${pin.length.toString(16)}${pin}`.padEnd(16, "F"), "hex");
  const p = panField(pan);
  for (let i = 0; i < 8; i++) clear[i] ^= p[i];
  return encryptKey(pik, clear).toString("hex").toUpperCase();
}

/** The PIN a field 52 carries for the card `pan` under the PIN key, or undefined when it is no format 0 block. */
export function pinFromBlock(field52: string, pan: string, pik: Buffer): string | undefined {
  const raw = Buffer.from(field52, "hex");
  if (raw.length !== 8) return undefined;
  const clear = decryptKey(pik, raw);
  const p = panField(pan);
  for (let i = 0; i < 8; i++) clear[i] ^= p[i];
  const hex = clear.toString("hex").toUpperCase();
  const length = parseInt(hex[1], 16);
  const pin = hex.slice(2, 2 + length);
  return hex[0] === "0" && PIN.test(pin) && /^F*$/.test(hex.slice(2 + length)) ? pin : undefined;
}
