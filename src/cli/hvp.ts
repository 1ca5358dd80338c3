/**
 * The `hvp` command: `npx backprop-ref hvp case.json` reads a `backprop-ref/case@1` document
 * with one more field, `direction` ($V$, shaped like the case's weights and biases), and prints
 * its `backprop-ref/hvp@1` document: the loss, the directional derivative $\nabla E \cdot V$,
 * the output tangents $J V$, the Hessian-vector product $H V$ and the generalized Gauss–Newton
 * product $G V$, every number in the shortest form that reads back to the same float64.
 *
 * It reads its input as `grad` does (a file or `-` for standard input, the same limit on size,
 * the same messages for a byte-order mark, UTF-16 and Python's `NaN`), and refuses a malformed
 * case or direction the same way: exit status 2 and one line naming the field. The products
 * are of the loss without a weight-decay penalty: a `backprop-ref/case@2` (the case with a
 * `weightDecay`) is refused with a message that says so, rather than answered without it.
 *
 * @module
 */
import type { Command } from "commander";
import { hvpResult, readHvpCase } from "../conformance/hvp-format.js";
import { formatJson } from "../numeric/json.js";
import { readInput, sourceName } from "./input.js";
import { reportError, type CommandIo, type Exit } from "./io.js";

/**
 * Adds `hvp` to a command line.
 *
 * @param program - the command line to add it to
 * @param io - the streams it reads and writes
 * @param exit - receives the exit status: 0 done, 2 bad input
 */
export function addHvpCommand(program: Command, io: CommandIo, exit: Exit): void {
  program
    .command("hvp")
    .summary("read a backprop-ref/case@1 document with a direction and print its backprop-ref/hvp@1 document: ∇E·V, J V, H V and G V")
    .description(
      'read a backprop-ref/case@1 document with one more field, "direction": {"weights": [...], "biases": [...] | null}, ' +
        "a direction V shaped like the case's weights and biases (biases null exactly when the case's are), " +
        "and print its backprop-ref/hvp@1 document: the loss, the directional derivative ∇E·V, " +
        "the output tangents J V (one row per sample), the Hessian-vector product H V and the generalized Gauss–Newton product G V. " +
        "G is Jᵀ H_ℓ J with J the Jacobian of the output layer's weighted sums and H_ℓ the Hessian of the loss through its activation " +
        "for cross_entropy (softmax) and binary_cross_entropy (sigmoid), and Jᵀ J with J the Jacobian of the outputs for squared_error. " +
        "Weight decay is not supported: a backprop-ref/case@2 is refused",
    )
    .argument("<case>", "the case file with its direction, or - to read standard input")
    .action(async (path: string) => {
      exit(await hvp(path, io));
    });
}

async function hvp(path: string, io: CommandIo): Promise<number> {
  let text: string;
  try {
    text = await readInput(path, io);
  } catch (error) {
    return reportError(error, "hvp", io);
  }
  try {
    io.stdout(`${formatJson(hvpResult(readHvpCase(text)))}\n`);
    return 0;
  } catch (error) {
    return reportError(error, "hvp", io, sourceName(path));
  }
}
