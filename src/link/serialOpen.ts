import type { SerialPort } from "serialport";
import { checkLinkOptions, Link, type LinkOptions, type Transport } from "./link.js";
import { LinkError, reasons } from "./linkError.js";
import { type Parity, SERIAL_DEFAULTS } from "./parseEndpoint.js";

export interface SerialOpenOptions extends LinkOptions {
  path: string;
  /** Default 9600. */
  baudRate?: number;
  /** Default 8. */
  dataBits?: 5 | 6 | 7 | 8;
  /** Default "none". */
  parity?: Parity;
  /** Default 1. */
  stopBits?: 1 | 1.5 | 2;
}

/** Opens a serial port and returns a Link over it. Which end "connects" has no meaning here. */
export async function serialOpen(options: SerialOpenOptions): Promise<Link> {
  const { path, baudRate, dataBits, parity, stopBits, ...linkOptions } = options;
  checkLinkOptions(linkOptions);
  // Loaded on first use: its native binding is the costliest module of `isoconf run`'s start-up,
  // and most runs never open a serial port.
  const { SerialPort } = await import("serialport");
  const port = new SerialPort({
    path,
    baudRate: baudRate ?? SERIAL_DEFAULTS.baudRate,
    dataBits: dataBits ?? SERIAL_DEFAULTS.dataBits,
    parity: parity ?? SERIAL_DEFAULTS.parity,
    stopBits: stopBits ?? SERIAL_DEFAULTS.stopBits,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) =>
    port.open((error) => {
      if (!error) return resolve();
      // The native binding prefixes its text with "Error: ".
      reject(new LinkError("connect_failed", reasons.serialOpenFailed(path, error.message.replace(/^Error: /, ""))));
    }),
  );
  return new Link(serialTransport(port), linkOptions);
}

function serialTransport(port: SerialPort): Transport {
  let closing = false;
  return {
    stream: port,
    peer: `serial:${port.path}`,
    close(graceMs) {
      if (closing || !port.isOpen) return;
      closing = true;
      const release = () => {
        clearTimeout(timer);
        // A close error is reported through the port's `error` event, which the Link handles.
        if (port.isOpen) port.close();
      };
      const timer = setTimeout(release, graceMs);
      // end() waits for writes queued in the stream, drain() for the UART to send them.
      port.end(() => port.drain(release));
    },
  };
}
