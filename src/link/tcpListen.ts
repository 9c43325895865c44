import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { Emitter } from "./emitter.js";
import { type Closed, EventQueue, type Timeout } from "./eventQueue.js";
import { checkLinkOptions, Link, type LinkOptions } from "./link.js";
import { LinkError, reasons } from "./linkError.js";
import { socketTransport } from "./socketTransport.js";

export interface TcpListenOptions extends LinkOptions {
  /** Default "127.0.0.1": listening beyond this machine is a deliberate choice. */
  host?: string;
  /** Default 0: an ephemeral port, read back with `address()`. */
  port?: number;
}

/** A connection accepted by a Listener. */
export interface Accepted {
  kind: "connection";
  link: Link;
}

export interface ListenerEvents {
  /** A peer connected; a peer that reconnects arrives as a new Link. */
  connect: [link: Link];
  /** The server failed after it started listening (e.g. out of file descriptors). */
  error: [error: Error];
}

/**
 * Accepts TCP connections, each as its own Link, many at once. Take them with `accept` or the
 * `connect` event; links not yet accepted are held until accepted, closed, or the listener closes.
 */
export class Listener extends Emitter<ListenerEvents> {
  private readonly links = new Set<Link>();
  private readonly pending: EventQueue<Accepted>;
  private closing = false;

  constructor(
    private readonly server: Server,
    private readonly options: LinkOptions,
  ) {
    super();
    this.pending = new EventQueue(options.clock);
    server.on("connection", (socket: Socket) => this.onConnection(socket));
    server.on("error", (error: Error) => this.emit("error", error));
  }

  /** Where the listener is bound; the port is the real one when 0 was asked for. */
  address(): { host: string; port: number } {
    const { address, port } = this.server.address() as AddressInfo;
    return { host: address, port };
  }

  /**
   * The next connection, `timeout` after `deadlineMs` (on the `clock` option's time), or `closed`
   * once the listener is closed.
   */
  accept(options: { deadlineMs: number }): Promise<Accepted | Timeout | Closed> {
    return this.pending.next(options.deadlineMs);
  }

  /** Stops listening and closes every link it accepted. */
  async close(): Promise<void> {
    this.closing = true;
    this.pending.close("listener closed");
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.links].map((link) => link.close()));
    await closed;
  }

  private onConnection(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const link = new Link(socketTransport(socket), this.options);
    this.links.add(link);
    link.on("disconnect", () => {
      this.links.delete(link);
      this.pending.retain((accepted) => accepted.link !== link);
    });
    this.pending.push({ kind: "connection", link });
    this.emit("connect", link);
  }
}

/** Listens for TCP connections; resolves once bound. */
export function tcpListen(options: TcpListenOptions): Promise<Listener> {
  const { host = "127.0.0.1", port = 0, ...linkOptions } = options;
  checkLinkOptions(linkOptions);
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once("error", (error) =>
      reject(new LinkError("listen_failed", reasons.listenFailed(`${host}:${port}`, error.message))),
    );
    server.listen({ host, port }, () => {
      server.removeAllListeners("error");
      resolve(new Listener(server, linkOptions));
    });
  });
}
