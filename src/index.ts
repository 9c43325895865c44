// The public API of isoconf, listed by name.
export type { Message, FieldSpan } from "./iso8583/message.js";
export { Iso8583Error, type Iso8583ErrorKind } from "./iso8583/errors.js";
export { loadDialect, loadDialectFile, DialectError, type Dialect } from "./iso8583/dialect.js";
export type { DialectTable, FieldTable } from "./iso8583/dialectTable.js";
export { BUILTIN_DIALECTS, builtinDialect, resolveDialect } from "./iso8583/builtinDialects.js";
export { pack } from "./iso8583/pack.js";
export { unpack } from "./iso8583/unpack.js";
export { computeMac, macInput, keyCheckValue, encryptKey, decryptKey, MAC_ALGORITHMS, type MacAlgorithm } from "./iso8583/mac.js";
export { packWithMac, checkMac } from "./iso8583/macMessage.js";
export { decodeTlv, encodeTlv, tlvToMap, TlvError, EMV_TAG_NAMES, type TlvItem, type TlvInput } from "./iso8583/tlv.js";
export { responseCodeInfo, isApproval, type ResponseCodeInfo, type ResponseCodeTable, type ResponseCategory } from "./iso8583/responseCodes.js";
export { parseCupHeader, formatCupHeader, replyHeader, parseField60, formatField60, PROCESSING_REQUIREMENTS, type CupHeader, type Field60 } from "./iso8583/cup.js";
export { maskMessage, maskPan, maskTrack, MASK_RULES, type MaskRule } from "./trace/mask.js";
export {
  Link,
  Listener,
  LinkError,
  ControlChannel,
  tcpConnect,
  tcpListen,
  serialOpen,
  parseEndpoint,
  framingByName,
  framingNames,
  type Framing,
  type LinkEvent,
  type Transport,
  type Endpoint,
} from "./link/index.js";
