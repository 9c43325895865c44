import type { Clock } from "./clock.js";

export interface VirtualClockOptions {
  /** The first reading of `now()`. Default 0. */
  startAt?: number;
  /**
   * Event-loop turns in a row that must pass without timer activity before the process counts
   * as idle and the clock jumps to its next timer. Default 3: in-process work that yields only
   * through promises and `process.nextTick` finishes within one turn; raise it for code that
   * also yields with `setImmediate`.
   */
  idleRounds?: number;
}

interface Timer {
  due: number;
  /** Scheduling order, so timers due at the same time fire in the order they were set. */
  seq: number;
  fn: () => void;
  /** Cancelled or fired: the heap drops it when it reaches the top. */
  done: boolean;
}

const DEFAULT_IDLE_ROUNDS = 3;
/** Below this many entries a heap full of cancelled timers costs nothing worth a rebuild. */
const MIN_COMPACT_SIZE = 64;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Simulated time for in-process runs: a 30 s response timeout costs no real time. Time moves
 * only by `advance(ms)` (tests) or, between `start()` and `stop()`, automatically: whenever the
 * process is idle, the clock jumps to the earliest timer and fires it.
 *
 * Idle means: `idleRounds` event-loop turns in a row (each one a `setImmediate` round, so every
 * promise callback and `nextTick` queued before it has run) during which no timer of this clock
 * was set, cancelled or fired. That sees work chained through promises, `nextTick` and streams
 * in memory, which all finish within a turn. It does NOT see real I/O (sockets, files, child
 * processes) nor real timers: code waiting on those looks idle, and its deadlines fire at once.
 * So use a VirtualClock only with in-memory transports (`memoryTransportPair`) and code that
 * takes all its time from the clock.
 */
export class VirtualClock implements Clock {
  private time: number;
  private readonly idleRounds: number;
  /** A binary min-heap on (due, seq). */
  private heap: Timer[] = [];
  private seq = 0;
  /** Timers set and neither fired nor cancelled. */
  private live = 0;
  /** Counts every set, cancel and fire: the idle check watches it. */
  private activity = 0;
  private running = false;
  /** Whether the automatic loop is alive (it may outlive a `stop()` + `start()` in one turn). */
  private looping = false;
  /** Wakes the automatic loop when a timer is set while none was pending. */
  private wake: (() => void) | undefined;
  /** The automatic loop's pending event-loop turn, which `stop()` ends at once. */
  private pendingTurn: { handle: NodeJS.Immediate; resolve: (turned: boolean) => void } | undefined;

  constructor(options: VirtualClockOptions = {}) {
    this.time = options.startAt ?? 0;
    this.idleRounds = options.idleRounds ?? DEFAULT_IDLE_ROUNDS;
    if (!Number.isFinite(this.time)) throw new RangeError(`startAt must be a finite number, got ${this.time}`);
    if (!Number.isInteger(this.idleRounds) || this.idleRounds < 1) {
      throw new RangeError(`idleRounds must be an integer >= 1, got ${this.idleRounds}`);
    }
  }

  now(): number {
    return this.time;
  }

  /** Timers set and still waiting to fire. */
  get pending(): number {
    return this.live;
  }

  /** `fn` fires when the clock reaches now + `ms`, never synchronously; `Infinity` never fires. */
  setTimer(ms: number, fn: () => void): () => void {
    if (!(ms >= 0)) throw new RangeError(`timer delay must be a number of milliseconds >= 0, got ${ms}`);
    if (ms === Infinity) return () => {};
    const timer: Timer = { due: this.time + ms, seq: this.seq++, fn, done: false };
    this.push(timer);
    this.live++;
    this.activity++;
    this.wake?.();
    return () => {
      if (timer.done) return;
      timer.done = true;
      this.live--;
      this.activity++;
      if (this.heap.length > MIN_COMPACT_SIZE && this.live < this.heap.length / 2) this.compact();
    };
  }

  /** Resolves when the clock has moved `ms` milliseconds on. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  /**
   * Moves time `ms` on, firing every timer due by then in order; timers they set fire too when
   * due within the span. Each fire is followed by an event-loop turn, so the promise chains it
   * starts run before the next timer. Ends with `now()` exactly `ms` later.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0) || ms === Infinity) throw new RangeError(`advance takes a finite number of milliseconds >= 0, got ${ms}`);
    const until = this.time + ms;
    for (let timer = this.peek(); timer !== undefined && timer.due <= until; timer = this.peek()) {
      this.fire();
      await turn();
    }
    this.time = until;
  }

  /** Starts moving time automatically whenever the process is idle (see the class comment). */
  start(): void {
    this.running = true;
    if (this.looping) return;
    this.looping = true;
    void this.run();
  }

  /**
   * Stops the automatic advance, and its pending `setImmediate` turn with it: an in-process run
   * whose work never waits on a timer never lets the event loop turn, and a pending turn would
   * keep this clock (and every timer a scenario set on it) alive until the run ends.
   */
  stop(): void {
    this.running = false;
    this.wake?.();
    const pending = this.pendingTurn;
    this.pendingTurn = undefined;
    if (pending !== undefined) {
      clearImmediate(pending.handle);
      pending.resolve(false);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.live === 0) {
        // Nothing to fire: sleep on a promise (which holds no handle) until a timer is set.
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      } else if (await this.idle()) {
        this.fire();
      }
    }
    this.looping = false;
  }

  /** True after `idleRounds` turns in a row without timer activity; false if stopped meanwhile. */
  private async idle(): Promise<boolean> {
    for (let quiet = 0; quiet < this.idleRounds; ) {
      const before = this.activity;
      const turned = await new Promise<boolean>((resolve) => {
        const handle = setImmediate(() => {
          this.pendingTurn = undefined;
          resolve(true);
        });
        this.pendingTurn = { handle, resolve };
      });
      // A turn stop() cancelled did not happen: after a start() in the same turn, count afresh.
      if (!turned || !this.running) return false;
      quiet = this.activity === before ? quiet + 1 : 0;
    }
    return this.live > 0;
  }

  /** Fires the earliest live timer, moving time to its due time. */
  private fire(): void {
    const timer = this.peek();
    if (timer === undefined) return;
    this.pop();
    timer.done = true;
    this.live--;
    this.activity++;
    this.time = Math.max(this.time, timer.due);
    try {
      timer.fn();
    } catch (error) {
      // As a throwing setTimeout callback would: uncaught, without stopping the clock.
      process.nextTick(() => {
        throw error;
      });
    }
  }

  /** The earliest live timer, dropping cancelled ones from the top. */
  private peek(): Timer | undefined {
    while (this.heap.length > 0 && this.heap[0].done) this.pop();
    return this.heap[0];
  }

  private compact(): void {
    const live = this.heap.filter((timer) => !timer.done);
    this.heap = [];
    for (const timer of live) this.push(timer);
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    let i = heap.push(timer) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(timer, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right], heap[left]) ? right : left;
      if (!before(heap[child], last)) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
