/**
 * China UnionPay POS specifics that sit inside otherwise opaque values: the 11-byte header
 * (TPDU + CUP header) and the sub-fields of field 60. Layouts from docs/protocol-notes.md §2.1 and §2.3.
 */

const HEADER_HEX = /^[0-9A-F]{22}$/;

/** Nibble 5 of the CUP header: what the host asks the terminal to do next. */
export const PROCESSING_REQUIREMENTS: Readonly<Record<string, string>> = {
  "0": "none",
  "1": "download parameters",
  "2": "upload status",
  "3": "sign on again",
  "4": "download IC public keys",
  "5": "download IC parameters",
  "6": "download application",
  "7": "download blacklist",
};

export interface CupHeader {
  /** TPDU: id (`60`), destination NII, source NII, each as hex. */
  tpdu: { id: string; destination: string; source: string };
  /** CUP header nibbles 0-1: application class (`60`). */
  applicationClass: string;
  /** Nibbles 2-3: software major version (`31`, `32`). */
  softwareVersion: string;
  /** Nibble 4: `0` normal, `1` test. */
  terminalStatus: string;
  /** Nibble 5: see `PROCESSING_REQUIREMENTS`. */
  processingRequirement: string;
  /** Nibbles 6-11: software sub-version. */
  softwareSubVersion: string;
}

function checkHeader(hex: string): string {
  const h = hex.toUpperCase();
  if (!HEADER_HEX.test(h)) throw new Error("a CUP header is 11 bytes: 22 hexadecimal characters");
  return h;
}

/** Splits an 11-byte CUP header (as hex) into its parts. */
export function parseCupHeader(hex: string): CupHeader {
  const h = checkHeader(hex);
  return {
    tpdu: { id: h.slice(0, 2), destination: h.slice(2, 6), source: h.slice(6, 10) },
    applicationClass: h.slice(10, 12),
    softwareVersion: h.slice(12, 14),
    terminalStatus: h[14],
    processingRequirement: h[15],
    softwareSubVersion: h.slice(16, 22),
  };
}

/** Joins header parts back into 22 hex characters. */
export function formatCupHeader(p: CupHeader): string {
  return checkHeader(
    p.tpdu.id + p.tpdu.destination + p.tpdu.source + p.applicationClass + p.softwareVersion +
      p.terminalStatus + p.processingRequirement + p.softwareSubVersion,
  );
}

/** The header a host replies with: the TPDU's destination and source NII swapped. */
export function replyHeader(requestHeader: string): string {
  const h = checkHeader(requestHeader);
  return h.slice(0, 2) + h.slice(6, 10) + h.slice(2, 6) + h.slice(10);
}

/** Field 60 sub-fields: 60.1 n2 type, 60.2 n6 batch, 60.3 n3 network info, then the rest. */
export interface Field60 {
  /** 60.1 transaction type code (`22` purchase, `23` void, `01` balance, `00` management...). */
  typeCode: string;
  /** 60.2 batch number. */
  batch: string;
  /** 60.3 network management information code (`000`, `001` sign-on, `201` settlement...). */
  networkCode: string;
  /** 60.4 onwards (read capability, IC condition, ...), as digits; may be empty. */
  rest: string;
}

/** Splits field 60; a value shorter than 60.1-60.3 gives empty strings for what is missing. */
export function parseField60(value: string): Field60 {
  return { typeCode: value.slice(0, 2), batch: value.slice(2, 8), networkCode: value.slice(8, 11), rest: value.slice(11) };
}

/** Joins field 60 sub-fields; each must already have its width (2, 6, 3). */
export function formatField60(p: Field60): string {
  if (!/^\d{2}$/.test(p.typeCode) || !/^\d{6}$/.test(p.batch) || !/^\d{3}$/.test(p.networkCode) || !/^\d*$/.test(p.rest)) {
    throw new Error("field 60 sub-fields are digits: 60.1 two, 60.2 six, 60.3 three, then any");
  }
  return p.typeCode + p.batch + p.networkCode + p.rest;
}
