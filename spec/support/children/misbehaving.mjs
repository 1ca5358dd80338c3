// A child program for the tests of the fuzz protocol's driver, misbehaving in the way its first
// argument names. It answers each case line with a line that is not a real result (only its
// format and the case's id), since the driver's tests are about lines, not numbers.
import { createInterface } from "node:readline";
import { setInterval, setTimeout } from "node:timers";

const [mode, count] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin });
let answered = 0;
const answer = (line) => JSON.stringify({ format: "backprop-ref/result@1", id: JSON.parse(line).id });

if (mode === "exit-at-start") {
  process.stderr.write("cannot start: missing model\n");
  process.exit(4);
}
if (mode === "ignore-end") setInterval(() => undefined, 1000);
lines.on("line", (line) => {
  answered++;
  switch (mode) {
    case "echo":
    case "ignore-end":
      process.stdout.write(`${answer(line)}\n`);
      break;
    case "crash-after":
      if (answered > Number(count)) {
        process.stderr.write("Traceback (most recent call last):\nValueError: shapes (2,3) and (2,1) not aligned\n");
        process.exit(3);
      }
      process.stdout.write(`${answer(line)}\n`);
      break;
    case "hang":
      break;
    case "garbage":
      process.stdout.write(`loss is ${"0.25 ".repeat(100)}\n`);
      break;
    case "nan":
      process.stdout.write('{"format": "backprop-ref/result@1", "loss": NaN}\n');
      break;
    case "two-lines":
      process.stdout.write(`${answer(line)}\n${answer(line)}\n`);
      break;
    case "slow-chunks": {
      // One answer written in pieces, with pauses: the driver must wait for the newline.
      const text = `${answer(line)}\n`;
      const half = Math.floor(text.length / 2);
      process.stdout.write(text.slice(0, half));
      setTimeout(() => process.stdout.write(text.slice(half)), 50);
      break;
    }
    default:
      process.stderr.write(`unknown mode ${mode}\n`);
      process.exit(2);
  }
});
