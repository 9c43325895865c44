import assert from "node:assert/strict";
import { parseEndpoint } from "../../src/link/parseEndpoint.js";

describe("parseEndpoint", () => {
  it("reads tcp endpoints", () => {
    assert.deepEqual(parseEndpoint("tcp://127.0.0.1:8583"), { kind: "tcp", host: "127.0.0.1", port: 8583 });
    assert.deepEqual(parseEndpoint("tcp://host.example:0"), { kind: "tcp", host: "host.example", port: 0 });
    assert.deepEqual(parseEndpoint("tcp://[::1]:9000"), { kind: "tcp", host: "::1", port: 9000 });
  });

  it("reads serial endpoints, defaulting to 9600 8N1", () => {
    assert.deepEqual(parseEndpoint("serial:/dev/ttyUSB0"), {
      kind: "serial",
      path: "/dev/ttyUSB0",
      baudRate: 9600,
      dataBits: 8,
      parity: "none",
      stopBits: 1,
    });
    assert.deepEqual(parseEndpoint("serial:/dev/ttyX?baud=19200&parity=even&dataBits=7&stopBits=2"), {
      kind: "serial",
      path: "/dev/ttyX",
      baudRate: 19200,
      dataBits: 7,
      parity: "even",
      stopBits: 2,
    });
    assert.equal((parseEndpoint("serial:COM3?stopBits=1.5") as { stopBits: number }).stopBits, 1.5);
  });

  // The error catalogue for endpoint strings.
  const bad: Array<[text: string, message: string]> = [
    ["127.0.0.1:8583", 'bad endpoint "127.0.0.1:8583": expected tcp://HOST:PORT or serial:PATH?baud=9600&dataBits=8&parity=none&stopBits=1'],
    ["tcp://127.0.0.1", 'bad endpoint "tcp://127.0.0.1": expected tcp://HOST:PORT'],
    ["tcp://127.0.0.1:http", 'bad endpoint "tcp://127.0.0.1:http": expected tcp://HOST:PORT'],
    ["tcp://:8583", 'bad endpoint "tcp://:8583": expected tcp://HOST:PORT'],
    ["tcp://h:8583/path", 'bad endpoint "tcp://h:8583/path": expected tcp://HOST:PORT'],
    ["tcp://h:70000", 'bad endpoint "tcp://h:70000": expected a port from 0 to 65535, got 70000'],
    ["serial:", 'bad endpoint "serial:": expected serial:PATH?baud=9600&dataBits=8&parity=none&stopBits=1'],
    ["serial:/dev/x?baud=fast", 'bad endpoint "serial:/dev/x?baud=fast": expected baud to be a positive integer, got "fast"'],
    ["serial:/dev/x?parity=evn", 'bad endpoint "serial:/dev/x?parity=evn": expected parity to be one of none, even, odd, mark, space, got "evn"'],
    ["serial:/dev/x?dataBits=9", 'bad endpoint "serial:/dev/x?dataBits=9": expected dataBits to be one of 5, 6, 7, 8, got "9"'],
    ["serial:/dev/x?stopBits=3", 'bad endpoint "serial:/dev/x?stopBits=3": expected stopBits to be one of 1, 1.5, 2, got "3"'],
    ["serial:/dev/x?baud=9600?parity=odd", 'bad endpoint "serial:/dev/x?baud=9600?parity=odd": expected baud to be a positive integer, got "9600?parity=odd"'],
    ["serial:/dev/x?speed=9600", 'bad endpoint "serial:/dev/x?speed=9600": unknown setting "speed": expected baud, dataBits, parity or stopBits'],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${text}`, () => assert.throws(() => parseEndpoint(text), { name: "LinkError", code: "invalid_config", message }));
  }
});
