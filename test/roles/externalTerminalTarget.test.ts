import assert from "node:assert/strict";
import { binary2 } from "../../src/link/binary2.js";
import type { Link } from "../../src/link/link.js";
import { serialOpen } from "../../src/link/serialOpen.js";
import { tcpConnect } from "../../src/link/tcpConnect.js";
import { tcpListen } from "../../src/link/tcpListen.js";
import { externalTerminalTarget } from "../../src/roles/externalTerminalTarget.js";
import { PassiveControl } from "../../src/roles/passiveControl.js";
import { openPtyPair, requireSocat } from "../link/support/ptyPair.js";

const framing = binary2();
const control = new PassiveControl();
const isLink = (x: unknown): x is Link => typeof x === "object" && x !== null && !("kind" in x);
const kindOf = (x: Link | { kind: string }) => ("kind" in x ? x.kind : "link");

// How the kit reaches a terminal of your own, scenario by scenario: the terminal connects, the
// kit connects, or a serial line; each scenario closes what it opened.
describe("externalTerminalTarget", function () {
  this.timeout(20_000);

  it("listen: hands over the terminal's connections; refuses those made between scenarios; close ends the wait", async () => {
    const listener = await tcpListen({ framing });
    const url = `tcp://127.0.0.1:${listener.address().port}`;
    const target = externalTerminalTarget({ line: { kind: "listen", listener }, framing, control });
    try {
      assert.equal(target.description, `listening on ${url}, control passive`);
      // Waits for the listener to hold it (not a sleep: a loaded machine may take longer).
      const arrived = new Promise<void>((resolve) => listener.on("connect", () => resolve()));
      const between = await tcpConnect(url, { framing });
      await arrived;
      const sut = await target.open();
      const closed = await between.receive({ deadlineMs: 2000 });
      assert.equal(closed.kind, "closed", "a connection from before the scenario is refused");
      const terminal = await tcpConnect(url, { framing });
      const got = await sut.accept({ deadlineMs: 2000 });
      assert.ok(isLink(got));
      await got.send(Buffer.from("0810"));
      assert.equal((await terminal.receive({ deadlineMs: 2000 })).kind, "frame");
      const waiting = sut.accept({ deadlineMs: 10_000 });
      await sut.close();
      assert.equal(kindOf(await waiting), "closed");
      assert.equal((await terminal.receive({ deadlineMs: 2000 })).kind, "closed", "the scenario's connections close with it");
    } finally {
      await listener.close();
    }
  });

  it("connect: one connection at a time, a new one once the terminal closed the last", async () => {
    const terminalSide = await tcpListen({ framing });
    const url = `tcp://127.0.0.1:${terminalSide.address().port}`;
    const target = externalTerminalTarget({ line: { kind: "connect", url }, framing, control });
    const sut = await target.open();
    try {
      const first = await sut.accept({ deadlineMs: 2000 });
      assert.ok(isLink(first));
      const accepted = await terminalSide.accept({ deadlineMs: 2000 });
      assert.equal(accepted.kind, "connection");
      assert.equal(kindOf(await sut.accept({ deadlineMs: 300 })), "timeout", "no second connection while the first is open");
      if (accepted.kind === "connection") await accepted.link.close();
      const second = await sut.accept({ deadlineMs: 2000 });
      assert.ok(isLink(second) && second !== first);
    } finally {
      await sut.close();
      await terminalSide.close();
    }
  });

  it("serial: the line carrying the terminal's frames, opened for the scenario", async function () {
    requireSocat.call(this);
    const pty = await openPtyPair();
    const target = externalTerminalTarget({ line: { kind: "serial", line: { path: pty.a } }, framing, control });
    const sut = await target.open();
    const terminal = await serialOpen({ path: pty.b, framing });
    try {
      const got = await sut.accept({ deadlineMs: 2000 });
      assert.ok(isLink(got));
      await terminal.send(Buffer.from("0200"));
      const frame = await got.receive({ deadlineMs: 2000 });
      assert.equal(frame.kind === "frame" && frame.body.toString(), "0200");
    } finally {
      await sut.close();
      await terminal.close();
      await pty.close();
    }
  });
});
