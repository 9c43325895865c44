import assert from "node:assert/strict";
import { EventQueue } from "../../src/link/eventQueue.js";
import { VirtualClock } from "../../src/link/virtualClock.js";

describe("EventQueue", () => {
  it("hands out items in order, to waiters in order", async () => {
    const queue = new EventQueue<number>();
    const first = queue.next(1000);
    const second = queue.next(1000);
    queue.push(1);
    queue.push(2);
    queue.push(3);
    assert.deepEqual(await Promise.all([first, second, queue.next(0)]), [1, 2, 3]);
  });

  it("times out after the deadline", async () => {
    const started = performance.now();
    assert.deepEqual(await new EventQueue<number>().next(30), { kind: "timeout" });
    assert.ok(performance.now() - started >= 25);
  });

  it("times its waits on the clock it was given", async () => {
    const clock = new VirtualClock();
    const queue = new EventQueue<number>(clock);
    const waiting = queue.next(30_000);
    await clock.advance(29_999);
    queue.push(1);
    assert.equal(await waiting, 1);
    const timingOut = queue.next(30_000);
    await clock.advance(30_000);
    assert.deepEqual(await timingOut, { kind: "timeout" });
    assert.equal(clock.pending, 0);
  });

  it("a timed-out waiter does not swallow a later item", async () => {
    const queue = new EventQueue<number>();
    await queue.next(5);
    queue.push(7);
    assert.equal(await queue.next(0), 7);
  });

  it("after close, queued items still come out, then closed", async () => {
    const queue = new EventQueue<number>();
    const waiting = queue.next(1000);
    queue.close("peer closed");
    assert.deepEqual(await waiting, { kind: "closed", reason: "peer closed" });
    const drained = new EventQueue<number>();
    drained.push(1);
    drained.close("reset");
    assert.equal(await drained.next(0), 1);
    assert.deepEqual(await drained.next(0), { kind: "closed", reason: "reset" });
  });

  it("rejects a deadline that is not a number of milliseconds", async () => {
    await assert.rejects(new EventQueue<number>().next(-1), {
      code: "invalid_config",
      message: "deadlineMs must be a number of milliseconds >= 0, got -1",
    });
    await assert.rejects(new EventQueue<number>().next(undefined as unknown as number), {
      message: "deadlineMs must be a number of milliseconds >= 0, got undefined",
    });
  });
});
