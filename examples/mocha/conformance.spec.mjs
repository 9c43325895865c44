// ISO 8583 conformance inside your own mocha run: a describe for the suite, an it per property.
//   npx mocha --reporter tap --reporter-option tapVersion=13 test/conformance.spec.mjs | npx tap-junit -o reports -n conformance.xml
import { conformance } from "isoconf/mocha";

conformance({
  role: "host",
  target: process.env.HOST_UNDER_TEST ?? "tcp://127.0.0.1:5000",
  dialect: "iso87ascii",
  runs: 200,
  seed: 2026,
  "timeout-ms": 2000,
  out: "reports/isoconf",
});
