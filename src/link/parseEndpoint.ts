import { LinkError, reasons } from "./linkError.js";

export interface TcpEndpoint {
  kind: "tcp";
  host: string;
  /** 0 asks `tcpListen` for an ephemeral port. */
  port: number;
}

export type Parity = "none" | "even" | "odd" | "mark" | "space";

export interface SerialEndpoint {
  kind: "serial";
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: Parity;
  stopBits: 1 | 1.5 | 2;
}

export type Endpoint = TcpEndpoint | SerialEndpoint;

/** The line settings most ECR links use: 9600 baud, 8 data bits, no parity, 1 stop bit (8N1). */
export const SERIAL_DEFAULTS = { baudRate: 9600, dataBits: 8, parity: "none", stopBits: 1 } as const;

const TCP_FORM = "tcp://HOST:PORT";
const SERIAL_FORM = "serial:PATH?baud=9600&dataBits=8&parity=none&stopBits=1";
const TCP_PATTERN = /^tcp:\/\/(\[[^\]]+\]|[^:/?#[\]]+):(\d+)$/;
const PARITIES: readonly Parity[] = ["none", "even", "odd", "mark", "space"];
const DATA_BITS = [5, 6, 7, 8] as const;
const STOP_BITS = [1, 1.5, 2] as const;

/**
 * Reads an endpoint string: `tcp://127.0.0.1:8583`, `tcp://[::1]:8583`,
 * `serial:/dev/ttyUSB0?baud=19200&parity=even`. Omitted serial settings are 8N1 at 9600 baud.
 */
export function parseEndpoint(text: string): Endpoint {
  if (text.startsWith("tcp:")) return parseTcp(text);
  if (text.startsWith("serial:")) return parseSerial(text);
  throw invalid(text, `expected ${TCP_FORM} or ${SERIAL_FORM}`);
}

function parseTcp(text: string): TcpEndpoint {
  const match = TCP_PATTERN.exec(text);
  if (!match) throw invalid(text, `expected ${TCP_FORM}`);
  const port = Number(match[2]);
  if (port > 0xffff) throw invalid(text, `expected a port from 0 to 65535, got ${match[2]}`);
  return { kind: "tcp", host: match[1].replace(/^\[(.*)\]$/, "$1"), port };
}

function parseSerial(text: string): SerialEndpoint {
  const rest = text.slice("serial:".length);
  const queryAt = rest.indexOf("?");
  const path = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query = queryAt === -1 ? "" : rest.slice(queryAt + 1);
  if (path === "") throw invalid(text, `expected ${SERIAL_FORM}`);
  const endpoint: SerialEndpoint = { kind: "serial", path, ...SERIAL_DEFAULTS };
  for (const [key, value] of new URLSearchParams(query)) {
    switch (key) {
      case "baud":
        if (!/^[1-9]\d*$/.test(value)) throw invalid(text, `expected baud to be a positive integer, got "${value}"`);
        endpoint.baudRate = Number(value);
        break;
      case "dataBits":
        endpoint.dataBits = oneOf(text, key, value, DATA_BITS, Number);
        break;
      case "parity":
        endpoint.parity = oneOf(text, key, value, PARITIES, String);
        break;
      case "stopBits":
        endpoint.stopBits = oneOf(text, key, value, STOP_BITS, Number);
        break;
      default:
        throw invalid(text, `unknown setting "${key}": expected baud, dataBits, parity or stopBits`);
    }
  }
  return endpoint;
}

/** The allowed option equal to `value` once converted, e.g. "1.5" to 1.5 for stopBits. */
function oneOf<T>(text: string, key: string, value: string, allowed: readonly T[], convert: (v: string) => unknown): T {
  const match = allowed.find((option) => option === convert(value));
  if (match === undefined) throw invalid(text, `expected ${key} to be one of ${allowed.join(", ")}, got "${value}"`);
  return match;
}

function invalid(text: string, expected: string): LinkError {
  return new LinkError("invalid_config", reasons.badEndpoint(text, expected));
}
