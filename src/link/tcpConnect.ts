import { connect, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { checkCount, checkDeadline, deadline } from "./deadline.js";
import { checkLinkOptions, Link, type LinkOptions } from "./link.js";
import { LinkError, reasons } from "./linkError.js";
import { parseEndpoint } from "./parseEndpoint.js";
import { socketTransport } from "./socketTransport.js";

export interface TcpConnectOptions extends LinkOptions {
  /** How long one attempt may take. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Attempts after the first one fails. Default 0. */
  retries?: number;
  /** Pause between attempts. Default 500 ms. */
  retryDelayMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_RETRY_DELAY_MS = 500;

/**
 * Connects to `tcp://HOST:PORT` (or `{ host, port }`) and returns the connected Link. Rejects
 * with `connect_failed` once every attempt has failed, naming the last failure.
 */
export async function tcpConnect(
  endpoint: string | { host: string; port: number },
  options: TcpConnectOptions,
): Promise<Link> {
  const { host, port } = typeof endpoint === "string" ? tcpEndpoint(endpoint) : endpoint;
  checkLinkOptions(options);
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  checkDeadline("connectTimeoutMs", timeoutMs);
  const retries = checkCount("retries", options.retries, 0);
  const retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  checkDeadline("retryDelayMs", retryDelayMs);
  const where = `tcp://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let lastFailure = "";
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await delay(retryDelayMs);
    try {
      return new Link(socketTransport(await connectOnce(host, port, timeoutMs), where), options);
    } catch (error) {
      lastFailure = (error as Error).message;
    }
  }
  throw new LinkError("connect_failed", reasons.connectFailed(where, retries + 1, lastFailure));
}

function tcpEndpoint(text: string): { host: string; port: number } {
  const endpoint = parseEndpoint(text);
  if (endpoint.kind === "tcp") return endpoint;
  throw new LinkError("invalid_config", reasons.badEndpoint(text, "expected tcp://HOST:PORT"));
}

function connectOnce(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // No Nagle delay from the first byte: set before the connection is up, it costs no call after.
    const socket = connect({ host, port, noDelay: true });
    const cancel = deadline(timeoutMs, () => {
      socket.destroy();
      reject(new Error(reasons.connectTimeout(timeoutMs)));
    });
    const onError = (error: Error) => {
      cancel();
      reject(error);
    };
    socket.once("error", onError);
    socket.once("connect", () => {
      cancel();
      socket.off("error", onError);
      resolve(socket);
    });
  });
}
