import assert from "node:assert/strict";
import fc from "fast-check";
import { ascii4 } from "../../src/link/ascii4.js";
import { bcd2 } from "../../src/link/bcd2.js";
import { binary2 } from "../../src/link/binary2.js";
import { binary4 } from "../../src/link/binary4.js";
import type { Framing } from "../../src/link/framing.js";
import type { LengthFramingOptions } from "../../src/link/lengthFraming.js";
import { deframeAll, hex, splitAt } from "./support/deframeAll.js";

// Behaviour every length-header framing shares, since they share one deframer.
const lengthFramings: Array<[string, (options?: LengthFramingOptions) => Framing]> = [
  ["binary2", binary2],
  ["bcd2", bcd2],
  ["ascii4", ascii4],
  ["binary4", binary4],
];

const hello = Buffer.from("hello");
const world = Buffer.from("world!");

describe("lengthFraming", () => {
  for (const [name, make] of lengthFramings) {
    describe(name, () => {
      const framing = make();
      const wire = Buffer.concat([framing.encode(hello), framing.encode(world)]);
      const headerBytes = framing.encode(Buffer.alloc(0)).length;
      const bodies = (chunks: Buffer[]) =>
        deframeAll(framing, chunks).map((event) => (event.kind === "frame" ? event.body.toString() : event.kind));

      // The pg-protocol split cases, by name.
      it("two frames in one chunk", () => assert.deepEqual(bodies([wire]), ["hello", "world!"]));
      it("split inside the header", () => assert.deepEqual(bodies(splitAt(wire, [1])), ["hello", "world!"]));
      it("split right after the header", () =>
        assert.deepEqual(bodies(splitAt(wire, [headerBytes])), ["hello", "world!"]));
      it("split in the middle of a body", () => assert.deepEqual(bodies(splitAt(wire, [headerBytes + 2])), ["hello", "world!"]));
      it("split at the end of the first frame", () =>
        assert.deepEqual(bodies(splitAt(wire, [headerBytes + hello.length])), ["hello", "world!"]));
      it("one byte at a time", () =>
        assert.deepEqual(bodies(splitAt(wire, [...wire.keys()])), ["hello", "world!"]));

      it("reports offsets and raw bytes", () => {
        const [first, second] = deframeAll(framing, [wire]);
        assert.deepEqual(first, { kind: "frame", body: hello, raw: framing.encode(hello), offset: 0 });
        assert.deepEqual(second, { kind: "frame", body: world, raw: framing.encode(world), offset: headerBytes + 5 });
      });

      it("a zero-length frame is a keepalive", () => {
        const keepalive = framing.encode(Buffer.alloc(0));
        assert.deepEqual(deframeAll(framing, [Buffer.concat([keepalive, framing.encode(hello)])]), [
          { kind: "keepalive", raw: keepalive, offset: 0 },
          { kind: "frame", body: hello, raw: framing.encode(hello), offset: headerBytes },
        ]);
      });

      it("does not copy frames that lie within one chunk", () => {
        for (const event of deframeAll(framing, [wire])) {
          assert.ok(event.kind === "frame" && event.body.buffer === wire.buffer);
        }
      });

      it("half a frame at close is a closed_mid_frame error with the bytes seen", () => {
        const partial = wire.subarray(0, headerBytes + 7);
        assert.deepEqual(deframeAll(framing, [partial], { end: true }), [
          { kind: "frame", body: hello, raw: framing.encode(hello), offset: 0 },
          {
            kind: "error",
            code: "closed_mid_frame",
            reason: "connection closed mid-frame",
            bytes: partial.subarray(headerBytes + 5),
            offset: headerBytes + 5,
            fatal: true,
          },
        ]);
      });

      it("half a header at close is reported too", () => {
        const [event] = deframeAll(framing, [wire.subarray(0, 1)], { end: true });
        assert.equal(event.kind === "error" && event.code, "closed_mid_frame");
      });

      it("a clean close reports nothing", () => assert.equal(deframeAll(framing, [wire], { end: true }).length, 2));

      it("lengthIncludesHeader counts the header in the length", () => {
        const inclusive = make({ lengthIncludesHeader: true });
        const raw = inclusive.encode(hello);
        assert.deepEqual(raw.subarray(headerBytes), hello);
        assert.deepEqual(deframeAll(inclusive, [raw]), [{ kind: "frame", body: hello, raw, offset: 0 }]);
        // The same bytes read without the option announce headerBytes more than there are.
        assert.deepEqual(deframeAll(framing, [raw]), []);
      });

      it("a length above maxFrame is fatal: nothing after it is trusted", () => {
        const small = make({ maxFrame: 4 });
        const deframer = small.deframer();
        deframer.push(Buffer.concat([framing.encode(hello), framing.encode(Buffer.from("ok"))]));
        const error = deframer.next();
        assert.equal(error?.kind === "error" && error.code, "above_max_frame");
        assert.equal(error?.kind === "error" && error.fatal, true);
        deframer.push(framing.encode(Buffer.from("ok")));
        deframer.end();
        assert.equal(deframer.next(), undefined);
      });

      it("encode refuses a body above maxFrame", () =>
        assert.throws(() => make({ maxFrame: 4 }).encode(hello), {
          name: "LinkError",
          code: "invalid_frame",
          message: `${name} body is 5 bytes; expected at most 4 (maxFrame)`,
        }));

      it("property: any bodies, split anywhere, come back the same", () => {
        fc.assert(
          fc.property(
            fc.boolean(),
            fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }),
            fc.array(fc.nat(), { maxLength: 20 }),
            (includesHeader, arrays, cuts) => {
              const subject = make({ lengthIncludesHeader: includesHeader });
              const sent = arrays.map((array) => Buffer.from(array));
              const stream = Buffer.concat(sent.map((body) => subject.encode(body)));
              const chunks = splitAt(stream, cuts.map((cut) => cut % (stream.length + 1)));
              const events = deframeAll(subject, chunks, { end: true });
              assert.deepEqual(
                events.map((event) => (event.kind === "frame" ? event.body : event.kind)),
                sent.map((body) => (body.length === 0 ? "keepalive" : body)),
              );
            },
          ),
          { numRuns: 300 },
        );
      });
    });
  }

  it("checks the header size is not counted twice with lengthIncludesHeader", () => {
    assert.deepEqual(deframeAll(binary2({ lengthIncludesHeader: true }), [hex("00 01")]), [
      {
        kind: "error",
        code: "short_length",
        reason: "length header 00 01 declares 1 including itself; expected at least 2 (its own size)",
        bytes: hex("00 01"),
        offset: 0,
        fatal: true,
      },
    ]);
  });

  it("maxFrame must fit the header, counting the header itself when it is included", () => {
    assert.throws(() => bcd2({ maxFrame: 9999, lengthIncludesHeader: true }), {
      code: "invalid_config",
      message: "maxFrame 9999 is more than a bcd2 header can carry (9997)",
    });
  });

  it("maxFrame must be a positive integer", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => binary2({ maxFrame: bad }), {
        code: "invalid_config",
        message: `maxFrame must be a positive integer, got ${bad}`,
      });
    }
  });
});
