import assert from "node:assert/strict";
import fc from "fast-check";
import { ByteQueue } from "../../src/link/byteQueue.js";

describe("ByteQueue", () => {
  it("hands out a chunk's bytes without copying while nothing is pending", () => {
    const queue = new ByteQueue();
    const chunk = Buffer.from("abcdef");
    queue.push(chunk);
    const taken = queue.take(4);
    assert.equal(taken.buffer, chunk.buffer);
    assert.equal(queue.offset, 4);
    assert.equal(queue.length, 2);
  });

  it("joins a straddling frame once, sized by the hint, then appends in place", () => {
    const queue = new ByteQueue();
    queue.push(Buffer.from("ab"));
    queue.push(Buffer.from("cd"), 1000);
    const joined = queue.peek(4);
    queue.push(Buffer.alloc(900, 0x65));
    const frame = queue.take(904);
    assert.equal(frame.buffer, joined.buffer);
    assert.equal(frame.byteOffset, joined.byteOffset);
    assert.deepEqual(frame.subarray(0, 5), Buffer.from("abcde"));
    assert.equal(queue.length, 0);
  });

  it("readFront reads at the first unconsumed byte, consuming nothing", () => {
    const queue = new ByteQueue();
    queue.push(Buffer.from([9, 0x01, 0x02, 7]));
    queue.take(1);
    assert.equal(queue.readFront((buf, offset) => buf.readUInt16BE(offset)), 0x0102);
    assert.equal(queue.length, 3);
  });

  it("indexOf searches only the unconsumed bytes within [from, to)", () => {
    const queue = new ByteQueue();
    queue.push(Buffer.from("xaxbxa"));
    queue.take(2);
    assert.equal(queue.indexOf(0x61, 0), 3);
    assert.equal(queue.indexOf(0x61, 0, 3), -1);
    assert.equal(queue.indexOf(0x7a, 0), -1);
  });

  it("property: bytes already taken are never overwritten by later pushes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.nat({ max: 60 }), fc.nat({ max: 100 })), { maxLength: 40 }),
        (steps) => {
          const queue = new ByteQueue();
          const stream: number[] = [];
          const taken: Array<[Buffer, number[]]> = [];
          for (const [array, takeCount, hint] of steps) {
            queue.push(Buffer.from(array), hint);
            stream.push(...array);
            const n = Math.min(takeCount, queue.length);
            const offset = queue.offset;
            taken.push([queue.take(n), stream.slice(offset, offset + n)]);
          }
          for (const [view, expected] of taken) assert.deepEqual([...view], expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
