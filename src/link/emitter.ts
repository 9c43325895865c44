/**
 * A small typed event emitter. Unlike Node's EventEmitter, an `error` event with no listener
 * is not thrown: a framing error reported from a socket callback must never crash the process.
 */
export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly listeners: { [K in keyof Events]?: Array<(...args: Events[K]) => void> } = {};

  on<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): this {
    (this.listeners[name] ??= []).push(listener);
    return this;
  }

  off<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): this {
    const list = this.listeners[name];
    const at = list?.indexOf(listener) ?? -1;
    if (at !== -1) list?.splice(at, 1);
    return this;
  }

  protected emit<K extends keyof Events>(name: K, ...args: Events[K]): void {
    // A copy, so a listener may remove itself while being called.
    for (const listener of [...(this.listeners[name] ?? [])]) listener(...args);
  }
}
