import { builtinDialect } from "../../../src/iso8583/builtinDialects.js";
import type { Message } from "../../../src/iso8583/message.js";
import { pack } from "../../../src/iso8583/pack.js";

/** The dialect every trace test records under: BCD, so a PAN reads as itself in the hex. */
export const cup = builtinDialect("cup");

export const PAN = "6225880012345678";
export const TRACK2 = `${PAN}D2512101`;
export const MAC = "4233413039324145";

/** A 0200 purchase carrying card data in field 2 and track 2 in field 35, MAC in 64. */
export function purchaseRequest(stan = "000123"): Message {
  return {
    mti: "0200",
    fields: {
      "2": PAN,
      "3": "000000",
      "4": "000000000500",
      "11": stan,
      "22": "021",
      "25": "00",
      "35": TRACK2,
      "41": "TERM0001",
      "42": "123456789012345",
      "49": "156",
      "64": MAC,
    },
  };
}

/** The approval of `purchaseRequest`. */
export function purchaseResponse(stan = "000123"): Message {
  return {
    mti: "0210",
    fields: {
      "2": PAN,
      "3": "000000",
      "4": "000000000500",
      "11": stan,
      "37": "123456789012",
      "38": "AB1234",
      "39": "00",
      "41": "TERM0001",
      "42": "123456789012345",
      "64": MAC,
    },
  };
}

export const packed = (message: Message): Buffer => pack(cup, message);
