import type { Socket } from "node:net";
import type { Transport } from "./link.js";

/**
 * A connected TCP socket as a link transport; both `tcpConnect` and `tcpListen` use it. `peer`:
 * where the kit connected to, when it did (asking the socket costs a system call per connection).
 */
export function socketTransport(socket: Socket, peer?: string): Transport {
  // Payment messages are small and latency-bound: send each frame at once (no Nagle delay).
  socket.setNoDelay(true);
  return {
    stream: socket,
    peer: peer ?? peerOf(socket),
    close(graceMs) {
      if (socket.destroyed) return;
      const timer = setTimeout(() => socket.destroy(), graceMs);
      socket.once("close", () => clearTimeout(timer));
      // end() sends FIN once queued writes are flushed; then release the descriptor.
      socket.end(() => socket.destroy());
    },
  };
}

function peerOf(socket: Socket): string {
  const host = socket.remoteFamily === "IPv6" ? `[${socket.remoteAddress}]` : socket.remoteAddress;
  return `tcp://${host}:${socket.remotePort}`;
}
