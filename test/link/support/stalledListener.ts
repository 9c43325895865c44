import { spawn } from "node:child_process";
import { connect, type Socket } from "node:net";
import { once } from "node:events";

/** Connections the kernel completes for a listener with backlog 1 before it drops SYNs. */
const FILLER_CONNECTIONS = 8;

export interface StalledListener {
  port: number;
  close(): Promise<void>;
}

/**
 * A port on 127.0.0.1 where connecting hangs: a child process listens with backlog 1 and is
 * then stopped (SIGSTOP), so it never accepts; once its accept queue is full the kernel drops
 * further SYNs and a connect attempt can only time out. close() kills the child.
 */
export async function stalledListener(): Promise<StalledListener> {
  const script =
    "const s=require('net').createServer().listen({host:'127.0.0.1',port:0,backlog:1},()=>console.log(s.address().port))";
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  const port = Number(line.toString().trim());
  child.kill("SIGSTOP");
  const fillers: Socket[] = [];
  for (let i = 0; i < FILLER_CONNECTIONS; i++) {
    const socket = connect({ host: "127.0.0.1", port });
    socket.on("error", () => {}); // Fillers that never complete are destroyed below.
    fillers.push(socket);
  }
  return {
    port,
    async close() {
      for (const socket of fillers) socket.destroy();
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    },
  };
}
