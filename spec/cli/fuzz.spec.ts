/**
 * `backprop-ref fuzz` against child programs: a correct one passes, a mistaken one is caught,
 * shrunk, named and written to `--out`, a misbehaving one is reported, and bad usage is refused
 * before any program starts.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { exitBadInput, exitCheckFailed } from "../../src/cli/io.js";
import { runCommand, scratchFolder } from "../support/command.js";

const reference = fileURLToPath(new URL("../support/children/reference.ts", import.meta.url));
const misbehaving = fileURLToPath(new URL("../support/children/misbehaving.mjs", import.meta.url));
/** The reference as a foreign program: node with tsx, so that it runs the sources as the tests do. */
const referenceCommand = [process.execPath, "--import", "tsx", reference];

describe("backprop-ref fuzz", () => {
  it("passes a correct implementation and says what space it covered", async () => {
    const { status, stdout, stderr } = await runCommand(["fuzz", "--runs", "60", "--seed", "1", "--", ...referenceCommand]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toContain("space: activations sigmoid, tanh, relu, leaky_relu, softplus, identity, softmax; losses squared_error");
    expect(stdout.trim().split("\n").at(-1)).toBe("all 60 cases agreed with the reference (seed 1, 66 answers in all)");
  });

  it("catches a mistake, names it, writes the counterexample, and prints the command that replays it", async () => {
    const out = join(scratchFolder("fuzz"), "counterexample");
    const { status, stdout } = await runCommand([
      "fuzz",
      "--seed",
      "2",
      "--out",
      out,
      "--activations",
      "sigmoid,tanh",
      "--losses",
      "squared_error",
      "--",
      ...referenceCommand,
      "--mistake",
      "missing-derivative",
    ]);
    expect(status).toBe(exitCheckFailed);
    expect(stdout).toMatch(
      /FAILED on case \d+ of the run \(seed 2\); shrunk \d+ times to a [1-3]-[1-3]-[1-3](-[1-3])? network with [12] samples?:/,
    );
    expect(stdout).toContain("this is the known mistake missing-derivative");
    expect(stdout).toContain(
      `replay: npx backprop-ref fuzz --seed 2 --activations sigmoid,tanh --losses squared_error -- ${referenceCommand.join(" ")} --mistake missing-derivative`,
    );
    for (const name of ["case.json", "theirs.json", "reference.json"]) expect(existsSync(join(out, name)), name).toBe(true);
    // The files replay with verify: the same difference, the same mistake.
    const verify = await runCommand(["verify", join(out, "case.json"), join(out, "theirs.json")]);
    expect(verify.status).toBe(exitCheckFailed);
    expect(verify.stdout).toContain("matches the known mistake missing-derivative");
  });

  it("prints a machine-readable report with --json", async () => {
    const { status, stdout } = await runCommand([
      "fuzz",
      "--json",
      "--seed",
      "3",
      "--runs",
      "20",
      "--",
      ...referenceCommand,
      "--mistake",
      "batch-sum",
    ]);
    expect(status).toBe(exitCheckFailed);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      format: "backprop-ref/fuzz-report@1",
      passed: false,
      seed: 3,
      counterexample: { verdict: { mistake: "batch-sum" } },
    });
    expect(report.replay).toMatch(/^npx backprop-ref fuzz --seed 3 --runs 20 -- /);
  });

  it("with --invalid, passes a program that rejects every malformed case of the vectors, and fails one that accepts them", async () => {
    const rejecting = await runCommand(["fuzz", "--invalid", "--runs", "5", "--seed", "1", "--", ...referenceCommand]);
    expect(rejecting.status).toBe(0);
    expect(rejecting.stdout).toMatch(/\nall \d+ malformed cases were rejected\n$/);
    const accepting = await runCommand(["fuzz", "--invalid", "--runs", "1", "--", process.execPath, misbehaving, "echo"]);
    expect(accepting.status).toBe(exitCheckFailed);
    expect(accepting.stdout).toMatch(/: accepted it: answered \{/);
    expect(accepting.stdout).toMatch(/FAILED: \d+ of \d+ malformed cases were not rejected/);
  });

  it("reports a program that crashes, with the log of its standard error", async () => {
    const log = join(scratchFolder("fuzz-log"), "child.log");
    const { status, stdout } = await runCommand([
      "fuzz",
      "--seed",
      "4",
      "--log",
      log,
      "--",
      process.execPath,
      misbehaving,
      "exit-at-start",
    ]);
    expect(status).toBe(exitCheckFailed);
    expect(stdout).toContain("the implementation exited with status 4 before answering; the last lines of its standard error:");
    expect(stdout).toContain(`the program's standard error is in ${log}`);
    expect(readFileSync(log, "utf8")).toContain("cannot start: missing model");
  });

  it("reports a program that hangs, and kills it", async () => {
    const { status, stdout } = await runCommand([
      "fuzz",
      "--seed",
      "5",
      "--runs",
      "3",
      "--timeout-ms",
      "100",
      "--",
      process.execPath,
      misbehaving,
      "hang",
    ]);
    expect(status).toBe(exitCheckFailed);
    expect(stdout).toContain("the implementation took longer than 100 ms to answer; it was killed");
    expect(stdout).toMatch(/FAILED on case 1 of the run \(seed 5\); shrunk \d times/);
  });

  it("refuses a program that cannot be run with exit status 2", async () => {
    const { status, stdout, stderr } = await runCommand(["fuzz", "--runs", "3", "--", "/no/such/program"]);
    expect(status).toBe(exitBadInput);
    expect(stdout).toBe("");
    expect(stderr).toBe('backprop-ref fuzz: could not run "/no/such/program": ENOENT\n');
  });

  it.each([
    [["--runs", "abc"], 'backprop-ref fuzz: --runs must be a decimal number, got "abc"'],
    [["--runs", "0"], 'backprop-ref fuzz: --runs must be an integer from 1 to 1000000, got "0"'],
    [["--timeout-ms", "1e9"], 'backprop-ref fuzz: --timeout-ms must be an integer from 1 to 600000, got "1e9"'],
    [
      ["--activations", "sigmoid,swish"],
      'backprop-ref fuzz: --activations must be among sigmoid, tanh, relu, leaky_relu, softplus, identity, softmax, got "swish"',
    ],
    [["--losses", "hinge"], 'backprop-ref fuzz: --losses must be among squared_error, cross_entropy, binary_cross_entropy, got "hinge"'],
    [["--max-depth", "0"], 'backprop-ref fuzz: --max-depth must be an integer from 1 to 16, got "0"'],
    [["--learning-rates", "0.1,-2"], "backprop-ref fuzz: --learning-rates[1] must be a finite number >= 0, got -2"],
    [
      ["--quantities", "gradient"],
      'backprop-ref fuzz: --quantities must be among loss, outputs, gradients, deltaWeights, updated, got "gradient"',
    ],
    [["--activations", "softmax"], "backprop-ref fuzz: networks of more than one layer need a hidden activation"],
  ])("refuses %j before starting the program, naming the option", async (options, message) => {
    const marker = join(scratchFolder("fuzz-marker"), "started");
    // A program that would leave a file behind if it were started.
    const { status, stdout, stderr } = await runCommand([
      "fuzz",
      ...options,
      "--",
      process.execPath,
      "-e",
      `require("fs").writeFileSync(${JSON.stringify(marker)}, "")`,
    ]);
    expect(status).toBe(exitBadInput);
    expect(stdout).toBe("");
    expect(stderr.split("\n")[0]).toContain(message);
    expect(existsSync(marker)).toBe(false);
  });

  it("judges a float32 program with --precision float32, and refuses an arithmetic it does not know", async () => {
    const tensorFlow = fileURLToPath(new URL("../../docs/examples/tfjs_mlp.mjs", import.meta.url));
    const float32 = await runCommand(["fuzz", "--precision", "float32", "--runs", "20", "--seed", "1", "--", process.execPath, tensorFlow]);
    expect(float32.status).toBe(0);
    expect(float32.stdout).toContain("judged on loss, outputs, gradients, deltaWeights, updated in float32");
    const unknown = await runCommand(["fuzz", "--precision", "float16", "--", process.execPath, tensorFlow]);
    expect(unknown.status).toBe(exitBadInput);
    expect(unknown.stderr).toContain("argument 'float16' is invalid. Allowed choices are float64, float32.");
  });

  it("refuses an --out that is a file, before starting the program", async () => {
    const file = join(scratchFolder("fuzz-out"), "taken");
    writeFileSync(file, "");
    const { status, stderr } = await runCommand(["fuzz", "--out", file, "--", ...referenceCommand]);
    expect(status).toBe(exitBadInput);
    expect(stderr).toBe(`backprop-ref fuzz: --out ${file}: it is not a folder\n`);
  });
});
