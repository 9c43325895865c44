import type { HostMalformedVariant } from "../scenario/scenario.js";

/**
 * A framed but broken message, made from a good frame body: the kit sends it as a malformed
 * request (host under test) or a malformed answer (terminal under test). The body is cut, given
 * a bad length, bad content, replaced by garbage, or cut to its fixed header (`header_only`).
 */
export function malformed(frame: Buffer, variant: HostMalformedVariant, headerBytes: number): Buffer {
  const body = Buffer.from(frame);
  switch (variant) {
    case "truncated":
      return body.subarray(0, Math.max(headerBytes + 1, body.length - 5));
    case "bad_length":
      return Buffer.concat([body, Buffer.from([0x00, 0x01, 0x02])]);
    case "bad_content":
      body[headerBytes] = 0xff; // the MTI's first byte: not a digit in any encoding
      return body;
    case "garbage":
      return Buffer.from("garbage!garbage!", "latin1");
    case "header_only":
      // Shorter than an MTI; without a fixed header, the MTI's first byte, since an empty body is a keep-alive.
      return body.subarray(0, headerBytes > 0 ? headerBytes : 1);
  }
}
