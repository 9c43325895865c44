// The link layer's public API: framings, transports, the Link, the serial control channel, clocks.
export { ascii4, ascii4Header } from "./ascii4.js";
export { bcd2, bcd2Header } from "./bcd2.js";
export { binary2, binary2Header } from "./binary2.js";
export { binary4, binary4Header } from "./binary4.js";
export { type Clock, realClock } from "./clock.js";
export { ControlChannel, type ControlChannelOptions } from "./controlChannel.js";
export type { Closed, Timeout } from "./eventQueue.js";
export {
  type AckNakEvent,
  DEFAULT_MAX_FRAME,
  type DeframeError,
  type DeframeErrorCode,
  type DeframeEvent,
  type Deframer,
  type FrameEvent,
  type Framing,
  type FramingOptions,
  type KeepaliveEvent,
} from "./framing.js";
export { type FramingName, framingByName, framingNames } from "./framingByName.js";
export { type LengthFramingOptions, type LengthHeader, lengthFraming } from "./lengthFraming.js";
export { Link, type LinkEvent, type LinkEvents, type LinkOptions, type Transport } from "./link.js";
export { LinkError, type LinkErrorCode } from "./linkError.js";
export { memoryTransportPair } from "./memoryTransport.js";
export { none } from "./none.js";
export {
  type Endpoint,
  type Parity,
  parseEndpoint,
  SERIAL_DEFAULTS,
  type SerialEndpoint,
  type TcpEndpoint,
} from "./parseEndpoint.js";
export { type SerialOpenOptions, serialOpen } from "./serialOpen.js";
export { ACK, ETX, lrc, NAK, STX, stxEtx } from "./stxEtx.js";
export { type TcpConnectOptions, tcpConnect } from "./tcpConnect.js";
export { type Accepted, Listener, type ListenerEvents, type TcpListenOptions, tcpListen } from "./tcpListen.js";
