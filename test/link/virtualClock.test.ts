import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import fc from "fast-check";
import { EventQueue } from "../../src/link/eventQueue.js";
import { VirtualClock } from "../../src/link/virtualClock.js";

/** Immediates pending in this process: the handles an idle loop would leave behind. */
const immediates = () => process.getActiveResourcesInfo().filter((name) => name === "Immediate").length;

describe("VirtualClock", () => {
  describe("advance", () => {
    it("fires timers in due order, ties in scheduling order, and ends exactly ms later", async () => {
      const clock = new VirtualClock({ startAt: 1000 });
      const fired: string[] = [];
      clock.setTimer(30, () => fired.push(`c@${clock.now()}`));
      clock.setTimer(10, () => fired.push(`a@${clock.now()}`));
      clock.setTimer(30, () => fired.push(`d@${clock.now()}`));
      clock.setTimer(10, () => fired.push(`b@${clock.now()}`));
      clock.setTimer(31, () => fired.push("late"));
      await clock.advance(30);
      assert.deepEqual(fired, ["a@1010", "b@1010", "c@1030", "d@1030"]);
      assert.equal(clock.now(), 1030);
      assert.equal(clock.pending, 1);
    });

    it("property: any set of timers fires sorted by (due, scheduling order)", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat({ max: 50 }), { maxLength: 40 }), async (delays) => {
          const clock = new VirtualClock();
          const fired: number[] = [];
          delays.forEach((ms, i) => clock.setTimer(ms, () => fired.push(i)));
          await clock.advance(50);
          const expected = delays.map((ms, i) => ({ ms, i })).sort((x, y) => x.ms - y.ms || x.i - y.i);
          assert.deepEqual(fired, expected.map((x) => x.i));
        }),
        { numRuns: 50 },
      );
    });

    it("a cancelled timer never fires; cancelling twice or after firing changes nothing", async () => {
      const clock = new VirtualClock();
      const fired: number[] = [];
      const cancelFirst = clock.setTimer(5, () => fired.push(1));
      const cancelSecond = clock.setTimer(5, () => fired.push(2));
      cancelFirst();
      cancelFirst();
      assert.equal(clock.pending, 1);
      await clock.advance(5);
      cancelSecond();
      assert.deepEqual(fired, [2]);
      assert.equal(clock.pending, 0);
    });

    it("keeps the order when most timers are cancelled (the heap compacts)", async () => {
      const clock = new VirtualClock();
      const fired: number[] = [];
      const cancels = Array.from({ length: 1000 }, (_, i) => clock.setTimer(1000 - i, () => fired.push(i)));
      cancels.forEach((cancel, i) => i % 10 !== 0 && cancel());
      assert.equal(clock.pending, 100);
      await clock.advance(1000);
      assert.deepEqual(fired, Array.from({ length: 100 }, (_, k) => 990 - 10 * k));
    });

    it("fires timers set by timers when they fall due within the span, and lets promises run between", async () => {
      const clock = new VirtualClock();
      const seen: string[] = [];
      clock.setTimer(10, () => {
        seen.push(`outer@${clock.now()}`);
        clock.setTimer(5, () => seen.push(`inner@${clock.now()}`));
        clock.setTimer(0, () => seen.push(`zero@${clock.now()}`));
        clock.setTimer(100, () => seen.push("too late"));
      });
      clock.setTimer(12, () => seen.push(`sibling@${clock.now()}`));
      void clock.sleep(11).then(async () => {
        await Promise.resolve();
        seen.push(`sleeper@${clock.now()}`);
      });
      await clock.advance(20);
      assert.deepEqual(seen, ["outer@10", "zero@10", "sleeper@11", "sibling@12", "inner@15"]);
      assert.equal(clock.now(), 20);
    });

    it("never fires synchronously, not even a 0 ms timer", async () => {
      const clock = new VirtualClock();
      let fired = false;
      clock.setTimer(0, () => (fired = true));
      assert.equal(fired, false);
      await clock.advance(0);
      assert.equal(fired, true);
    });

    it("an Infinity timer never fires and is not pending", async () => {
      const clock = new VirtualClock();
      clock.setTimer(Infinity, () => assert.fail("fired"))();
      clock.setTimer(Infinity, () => assert.fail("fired"));
      assert.equal(clock.pending, 0);
      await clock.advance(Number.MAX_SAFE_INTEGER);
    });

    it("rejects bad arguments, saying what was expected", async () => {
      const clock = new VirtualClock();
      assert.throws(() => clock.setTimer(-1, () => {}), {
        name: "RangeError",
        message: "timer delay must be a number of milliseconds >= 0, got -1",
      });
      assert.throws(() => clock.setTimer(Number.NaN, () => {}), /got NaN/);
      await assert.rejects(clock.advance(Infinity), {
        message: "advance takes a finite number of milliseconds >= 0, got Infinity",
      });
      assert.throws(() => new VirtualClock({ idleRounds: 0 }), { message: "idleRounds must be an integer >= 1, got 0" });
      assert.throws(() => new VirtualClock({ startAt: Number.NaN }), { message: "startAt must be a finite number, got NaN" });
    });
  });

  describe("start / stop (automatic advance)", () => {
    let clock: VirtualClock;
    beforeEach(() => (clock = new VirtualClock()));
    afterEach(() => clock.stop());

    // The bounds are far under the time simulated, not tight: a loaded machine is slow, never 60 s slow.
    it("a 60 s wait completes in a fraction of that in real time", async () => {
      clock.start();
      const started = performance.now();
      await clock.sleep(60_000);
      assert.ok(performance.now() - started < 5_000, `took ${performance.now() - started} ms`);
      assert.equal(clock.now(), 60_000);
    });

    it("a deadline on an EventQueue times out on virtual time", async () => {
      clock.start();
      const queue = new EventQueue<number>(clock);
      const started = performance.now();
      assert.deepEqual(await queue.next(30_000), { kind: "timeout" });
      assert.equal(clock.now(), 30_000);
      assert.ok(performance.now() - started < 5_000, `took ${performance.now() - started} ms`);
    });

    it("does not move while in-process work is pending: 2000 ping-pongs with 30 s deadlines", async () => {
      clock.start();
      const ping = new EventQueue<number>(clock);
      const pong = new EventQueue<number>(clock);
      const echo = (async () => {
        for (;;) {
          const n = await ping.next(30_000);
          if (typeof n !== "number") return n;
          // Yield through nextTick and a microtask too, as streams in memory do.
          await new Promise((resolve) => process.nextTick(resolve));
          pong.push(n);
        }
      })();
      for (let i = 0; i < 2000; i++) {
        ping.push(i);
        assert.equal(await pong.next(30_000), i);
      }
      assert.equal(clock.now(), 0, "no deadline fired while the echo was answering");
      assert.deepEqual(await echo, { kind: "timeout" });
      assert.equal(clock.now(), 30_000);
    });

    it("waits for in-process work that yields with setImmediate fewer than idleRounds times", async () => {
      clock.start();
      let done = false;
      void (async () => {
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
        done = true;
      })();
      await clock.sleep(1);
      assert.equal(done, true);
    });

    it("fires timers set while it waited with none pending", async () => {
      clock.start();
      await delay(5);
      const order: number[] = [];
      await Promise.all([clock.sleep(20).then(() => order.push(20)), clock.sleep(10).then(() => order.push(10))]);
      assert.deepEqual(order, [10, 20]);
    });

    it("stop() halts time and leaves no handle behind", async () => {
      const before = immediates();
      clock.start();
      let fired = false;
      clock.setTimer(1000, () => (fired = true));
      clock.stop();
      await delay(20);
      assert.equal(fired, false);
      assert.equal(clock.now(), 0);
      assert.equal(immediates(), before);
    });

    // An in-process scenario that waits on no timer never lets the event loop turn: a pending turn
    // left by stop() would hold the clock and its timers until the whole run ended.
    it("stop() ends its pending turn at once, without waiting for the event loop to turn", async () => {
      const before = immediates();
      clock.start();
      clock.setTimer(1000, () => {});
      await Promise.resolve(); // the loop is in its idle check, a turn pending
      assert.equal(immediates(), before + 1);
      clock.stop();
      assert.equal(immediates(), before);
      for (let i = 0; i < 5; i++) await Promise.resolve();
      assert.equal(immediates(), before, "the loop ended without another turn");
      assert.equal(clock.now(), 0);
    });

    it("stop() and start() in one turn count no turn that never happened", async () => {
      const quick = new VirtualClock({ idleRounds: 1 });
      let fired = false;
      quick.start();
      quick.setTimer(1000, () => (fired = true));
      await Promise.resolve(); // the loop is in its idle check, a turn pending
      quick.stop();
      quick.start();
      for (let i = 0; i < 20; i++) await Promise.resolve();
      assert.equal(fired, false, "fired with no event-loop turn");
      await delay(5);
      assert.equal(fired, true, "fires once the loop has turned");
      quick.stop();
    });

    it("stop() with no timer pending releases the loop too; start() again resumes", async () => {
      const before = immediates();
      clock.start();
      await delay(5);
      clock.stop();
      await delay(5);
      assert.equal(immediates(), before);
      clock.start();
      clock.stop();
      clock.start();
      await clock.sleep(500);
      assert.equal(clock.now(), 500);
    });
  });
});
