import { type Clock, realClock } from "./clock.js";
import { checkDeadline, deadline } from "./deadline.js";

/** The wait ran out before anything arrived. */
export interface Timeout {
  kind: "timeout";
}

/** Nothing more will arrive. */
export interface Closed {
  kind: "closed";
  reason: string;
}

/**
 * Items waiting for a consumer, and consumers waiting for items, each wait bounded by a
 * deadline. After `close`, items already queued are still handed out, then `closed`.
 */
export class EventQueue<T> {
  private items: T[] = [];
  private readonly waiters: Array<Waiter<T>> = [];
  private closedWith: Closed | undefined;

  /** `clock` times the waits of `next`. */
  constructor(private readonly clock: Clock = realClock) {}

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter.settle(item);
    else this.items.push(item);
  }

  close(reason: string): void {
    if (this.closedWith) return;
    this.closedWith = { kind: "closed", reason };
    for (const waiter of this.waiters.splice(0)) waiter.settle(this.closedWith);
  }

  /** The items waiting for a consumer, oldest first; taking nothing. */
  queued(): readonly T[] {
    return this.items.slice();
  }

  /** Drops queued items that `keep` rejects. */
  retain(keep: (item: T) => boolean): void {
    this.items = this.items.filter(keep);
  }

  /**
   * The next item; `timeout` if none arrives within `deadlineMs` milliseconds (Infinity waits
   * until an item or `close`); `closed` once closed and empty.
   */
  next(deadlineMs: number): Promise<T | Timeout | Closed> {
    // Not an async function: one returning the waiter's promise would take two more turns of the
    // microtask queue to adopt it, on every frame a link receives.
    try {
      checkDeadline("deadlineMs", deadlineMs);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.items.length > 0) return Promise.resolve(this.items.shift() as T);
    if (this.closedWith) return Promise.resolve(this.closedWith);
    return new Promise((resolve) => {
      const waiter = new Waiter(resolve);
      waiter.cancel = deadline(deadlineMs, () => this.expire(waiter), this.clock);
      this.waiters.push(waiter);
    });
  }

  private expire(waiter: Waiter<T>): void {
    this.waiters.splice(this.waiters.indexOf(waiter), 1);
    waiter.settle(TIMEOUT);
  }
}

const TIMEOUT: Timeout = Object.freeze({ kind: "timeout" });
const noop = () => {};

/** A consumer waiting in `next`: an object rather than closures, as the link's hot path makes one per wait. */
class Waiter<T> {
  cancel: () => void = noop;

  constructor(private readonly resolve: (result: T | Timeout | Closed) => void) {}

  settle(result: T | Timeout | Closed): void {
    this.cancel();
    this.resolve(result);
  }
}
