/**
 * A small typed event emitter. Unlike Node's EventEmitter, an `error` event with no listener
 * is not thrown: a framing error reported from a socket callback must never crash the process.
 */
export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly listeners: { [K in keyof Events]?: Array<(...args: Events[K]) => void> } = {};

  // Listener arrays are replaced, never changed in place: emit can iterate one without a copy
  // while a listener adds or removes listeners.

  on<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): this {
    this.listeners[name] = [...(this.listeners[name] ?? []), listener];
    return this;
  }

  off<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): this {
    const list = this.listeners[name];
    const at = list?.indexOf(listener) ?? -1;
    if (at !== -1) this.listeners[name] = list?.filter((_, i) => i !== at);
    return this;
  }

  protected emit<K extends keyof Events>(name: K, ...args: Events[K]): void {
    const list = this.listeners[name];
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) list[i](...args);
  }
}
