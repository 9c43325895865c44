import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { builtinDialect } from "../src/iso8583/builtinDialects.js";
import type { Message } from "../src/iso8583/message.js";
import { pack } from "../src/iso8583/pack.js";
import { unpack } from "../src/iso8583/unpack.js";
import { binary2 } from "../src/link/binary2.js";
import { Link } from "../src/link/link.js";
import { memoryTransportPair } from "../src/link/memoryTransport.js";
import { tcpConnect } from "../src/link/tcpConnect.js";
import { tcpListen } from "../src/link/tcpListen.js";
import { fmt, roundTripRates } from "./measure.js";

/**
 * Round trips per second over loopback TCP: a Link pair exchanging a cup 0200 and its 0210 (the
 * server decodes the request and packs the reply, the client decodes the reply), against a raw
 * net.Socket pair echoing the same request bytes with the 2-byte length framing done by hand.
 * Both ends run in this process, as an in-process run would have them. Two more pairs show where
 * the time goes: Links echoing the body without the codec, and the codec pair over memory.
 */
const cup = builtinDialect("cup");
const REQUEST: Message = {
  mti: "0200",
  fields: {
    "2": "6225880012345678",
    "3": "000000",
    "4": "000000000500",
    "11": "000001",
    "22": "021",
    "25": "00",
    "35": "6225880012345678D2512101",
    "41": "TERM0001",
    "42": "123456789012345",
    "49": "156",
    "64": "4233413039324145",
  },
};
const REQUEST_BODY = pack(cup, REQUEST);
const DEADLINE = { deadlineMs: 10_000 };
/** Requests in flight at once in pipelined mode. */
const WINDOW = 32;
/** Length header of binary2: 2 bytes, big-endian. */
const HEADER_BYTES = 2;

/** Sends `count` requests, at most `window` unanswered at a time, and waits for every answer. */
type Exchange = (count: number, window: number) => Promise<void>;

interface Pair {
  exchange: Exchange;
  close(): Promise<void>;
}

/** The host's answer: a 0210 built from the decoded request. */
function approve(body: Buffer): Buffer {
  const { header, fields } = unpack(cup, body);
  const { "2": pan, "3": code, "4": amount, "11": stan, "41": tid, "42": mid, "64": mac } = fields;
  return pack(cup, { mti: "0210", header, fields: { "2": pan, "3": code, "4": amount, "11": stan, "39": "00", "41": tid, "42": mid, "64": mac } });
}

function checkApproval(body: Buffer): void {
  if (unpack(cup, body).fields["39"] !== "00") throw new Error("link benchmark: the reply is not an approval");
}

/** A client Link and a server Link answering each frame with `answer`; the client runs `check` on replies. */
function linkExchange(client: Link, server: Link, answer: (body: Buffer) => Buffer, check: (body: Buffer) => void): Pair {
  const serving = (async () => {
    for (;;) {
      const got = await server.receive({ deadlineMs: Infinity });
      if (got.kind !== "frame") return;
      void server.send(answer(got.body)).catch(() => undefined);
    }
  })();
  return {
    async exchange(count, window) {
      let sent = 0;
      const sendOne = () => {
        sent++;
        void client.send(REQUEST_BODY).catch(() => undefined);
      };
      while (sent < Math.min(window, count)) sendOne();
      for (let answered = 0; answered < count; answered++) {
        const got = await client.receive(DEADLINE);
        if (got.kind !== "frame") throw new Error(`link benchmark: expected a reply, got ${got.kind}`);
        check(got.body);
        if (sent < count) sendOne();
      }
    },
    async close() {
      await Promise.all([client.close(), server.close()]);
      await serving;
    },
  };
}

async function tcpLinkPair(answer: (body: Buffer) => Buffer, check: (body: Buffer) => void): Promise<Pair> {
  const framing = binary2();
  const listener = await tcpListen({ framing });
  const client = await tcpConnect(listener.address(), { framing });
  const accepted = await listener.accept(DEADLINE);
  if (accepted.kind !== "connection") throw new Error(`link benchmark: the server accepted nothing (${accepted.kind})`);
  const pair = linkExchange(client, accepted.link, answer, check);
  return {
    exchange: pair.exchange,
    async close() {
      await pair.close();
      await listener.close();
    },
  };
}

function memoryLinkPair(): Pair {
  const [a, b] = memoryTransportPair();
  return linkExchange(new Link(a, { framing: binary2() }), new Link(b, { framing: binary2() }), approve, checkApproval);
}

/**
 * Splits a byte stream into 2-byte-length frames by hand, calling `onFrame` with each whole
 * frame (header included): the least parsing a framed protocol can do.
 */
function rawFrames(socket: Socket, onFrame: (frame: Buffer) => void): void {
  let pending: Buffer | undefined;
  socket.on("data", (chunk: Buffer) => {
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    while (buf.length >= HEADER_BYTES) {
      const end = HEADER_BYTES + buf.readUInt16BE(0);
      if (buf.length < end) break;
      onFrame(buf.subarray(0, end));
      buf = buf.subarray(end);
    }
    pending = buf.length > 0 ? buf : undefined;
  });
}

async function rawPair(): Promise<Pair> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    rawFrames(socket, (frame) => socket.write(frame));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const client = connect((server.address() as AddressInfo).port, "127.0.0.1");
  await once(client, "connect");
  client.setNoDelay(true);
  const request = binary2().encode(REQUEST_BODY);
  let onAnswer = () => {};
  rawFrames(client, () => onAnswer());
  return {
    exchange: (count, window) =>
      new Promise((resolve) => {
        let sent = 0;
        let answered = 0;
        const sendOne = () => {
          sent++;
          client.write(request);
        };
        onAnswer = () => {
          if (++answered === count) resolve();
          else if (sent < count) sendOne();
        };
        while (sent < Math.min(window, count)) sendOne();
      }),
    async close() {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const percent = (part: number, whole: number) => `${Math.round((100 * part) / whole)}%`;

export async function linkBenchmark(): Promise<string> {
  const rows: string[] = [];
  const ratios: number[] = [];
  for (const [mode, window] of [
    ["one at a time", 1],
    [`pipelined (${WINDOW} in flight)`, WINDOW],
  ] as const) {
    const pairs = {
      raw: await rawPair(),
      link: await tcpLinkPair(approve, checkApproval),
      echo: await tcpLinkPair((body) => body, () => {}),
      memory: memoryLinkPair(),
    };
    const rates = await roundTripRates({
      raw: (count) => pairs.raw.exchange(count, window),
      link: (count) => pairs.link.exchange(count, window),
      echo: (count) => pairs.echo.exchange(count, window),
      memory: (count) => pairs.memory.exchange(count, window),
    });
    await Promise.all(Object.values(pairs).map((pair) => pair.close()));
    ratios.push(rates.link / rates.raw);
    rows.push(
      `| ${mode} | ${fmt(rates.raw)} | ${fmt(rates.link)} | **${percent(rates.link, rates.raw)}** | ` +
        `${fmt(rates.echo)} (${percent(rates.echo, rates.raw)}) | ${fmt(rates.memory)} |`,
    );
  }
  return [
    "Round trips per second, both ends in one process; median of 7 rounds of 300 ms, the pairs taking turns.",
    "",
    `- **raw**: net.Socket over loopback TCP echoing the ${REQUEST_BODY.length + HEADER_BYTES}-byte framed cup 0200, framing parsed by hand, no codec.`,
    "- **Link + codec**: Links over loopback TCP, binary2; the server decodes the 0200 and packs a 0210, the client decodes the 0210.",
    "- **Link echo**: the same Links echoing the body, no codec: the link layer's own cost.",
    "- **memory**: Link + codec over `memoryTransportPair` (no kernel), as in-process runs use it.",
    "",
    "| mode | raw rt/s | Link + codec rt/s | Link + codec / raw | Link echo rt/s (/ raw) | memory rt/s |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    `Target: Link + codec ≥ 50% of raw in both modes: ${ratios.every((r) => r >= 0.5) ? "met" : "**not met**"}.`,
  ].join("\n");
}
