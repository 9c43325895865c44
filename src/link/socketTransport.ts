import type { Socket } from "node:net";
import type { Transport } from "./link.js";

/** A connected TCP socket as a link transport; both `tcpConnect` and `tcpListen` use it. */
export function socketTransport(socket: Socket): Transport {
  // Payment messages are small and latency-bound: send each frame at once (no Nagle delay).
  socket.setNoDelay(true);
  const host = socket.remoteFamily === "IPv6" ? `[${socket.remoteAddress}]` : socket.remoteAddress;
  return {
    stream: socket,
    peer: `tcp://${host}:${socket.remotePort}`,
    close(graceMs) {
      if (socket.destroyed) return;
      const timer = setTimeout(() => socket.destroy(), graceMs);
      socket.once("close", () => clearTimeout(timer));
      // end() sends FIN once queued writes are flushed; then release the descriptor.
      socket.end(() => socket.destroy());
    },
  };
}
