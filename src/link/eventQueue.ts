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
  private readonly waiters: Array<(result: T | Timeout | Closed) => void> = [];
  private closedWith: Closed | undefined;

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  close(reason: string): void {
    if (this.closedWith) return;
    this.closedWith = { kind: "closed", reason };
    for (const waiter of this.waiters.splice(0)) waiter(this.closedWith);
  }

  /** Drops queued items that `keep` rejects. */
  retain(keep: (item: T) => boolean): void {
    this.items = this.items.filter(keep);
  }

  /**
   * The next item; `timeout` if none arrives within `deadlineMs` milliseconds (Infinity waits
   * until an item or `close`); `closed` once closed and empty.
   */
  async next(deadlineMs: number): Promise<T | Timeout | Closed> {
    checkDeadline("deadlineMs", deadlineMs);
    if (this.items.length > 0) return this.items.shift() as T;
    if (this.closedWith) return this.closedWith;
    return new Promise((resolve) => {
      const waiter = (result: T | Timeout | Closed) => {
        cancel();
        resolve(result);
      };
      const cancel = deadline(deadlineMs, () => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        resolve({ kind: "timeout" });
      });
      this.waiters.push(waiter);
    });
  }
}
