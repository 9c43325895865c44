import type { Message } from "../../src/iso8583/message.js";
import type { ControlOutcome, FaultDetail, TraceEvent, UnstampedEvent } from "../../src/trace/traceEvent.js";

/** Hand-made traces for property tests: frames and kit events in order, with times. */
export class TraceBuilder {
  readonly events: TraceEvent[] = [];
  t = 0;
  step = -1;

  private add(e: UnstampedEvent): TraceEvent {
    const event: TraceEvent = { seq: this.events.length, t: this.t, ...e };
    if (this.step >= 0) event.step = this.step;
    this.events.push(event);
    return event;
  }

  atStep(step: number): this {
    this.step = step;
    this.add({ dir: "kit", kind: "step", text: `step ${step}` });
    return this;
  }

  after(ms: number): this {
    this.t += ms;
    return this;
  }

  send(m: Message, conn = "c1"): this {
    // Hand-made frames carry no bytes: properties read the message.
    this.add({ dir: "kit→sut", kind: "frame", conn, bytes: "", message: m });
    return this;
  }

  receive(m: Message, conn = "c1"): this {
    this.add({ dir: "sut→kit", kind: "frame", conn, bytes: "", message: m });
    return this;
  }

  receiveUndecodable(conn = "c1"): this {
    this.add({ dir: "sut→kit", kind: "frame", conn, bytes: "00", decodeError: { field: "t", offset: 0, kind: "truncated", reason: "MTI is 1 bytes, expecting 4" } });
    return this;
  }

  /** A frame the kit sent that does not decode: a hostile or malformed request. */
  sendUndecodable(conn = "c1"): this {
    this.add({ dir: "kit→sut", kind: "frame", conn, bytes: "00", decodeError: { field: "4", offset: 20, kind: "bad_content", reason: "not a digit" } });
    return this;
  }

  fault(fault: string, detail: Omit<FaultDetail, "fault"> = {}): this {
    this.add({ dir: "kit", kind: "fault", detail: { fault, ...detail } });
    return this;
  }

  /** A control-link command to a terminal under test (`result` undefined) or its result. */
  control(op: string, result?: ControlOutcome): this {
    this.add({ dir: "kit", kind: "control", detail: result === undefined ? { op } : { op, result } });
    return this;
  }
}
