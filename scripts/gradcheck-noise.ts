/**
 * Measures the noise of the central-difference gradient check on the property suite's own
 * random cases, the numbers behind the default floor (`defaultFloorScale` in src/oracles/comparison.ts) and
 * docs/gradient-checking.md.
 *
 *   npx tsx scripts/gradcheck-noise.ts [cases] [seed] [method]
 *
 * (defaults: 2000 cases, seed 1, central; method is central, richardson or complex-step)
 *
 * For every entry it compares backpropagation with the central difference twice: without a
 * floor (the raw relative error, which blows up on entries near zero) and with the default
 * floor. It prints the worst absolute error among entries smaller than the floor, the worst
 * relative error among the others, and the worst relative error the check itself reports.
 */
import fc from "fast-check";

import { parseCase } from "../src/conformance/case-format.js";
import { backpropagate } from "../src/model/backprop.js";
import { networkLoss } from "../src/model/forward.js";
import { compareGradients, defaultFloor, type EntryMethod } from "../src/oracles/comparison.js";
import { oracleGradients } from "../src/oracles/gradient-check.js";
import { caseDocument } from "../src/conformance/case-arbitrary.js";

const cases = Number(process.argv[2] ?? 2000);
const seed = Number(process.argv[3] ?? 1);
const method = (process.argv[4] ?? "central") as EntryMethod;
if (
  !Number.isSafeInteger(cases) ||
  cases < 1 ||
  !Number.isSafeInteger(seed) ||
  !["central", "richardson", "complex-step"].includes(method)
) {
  console.error("usage: npx tsx scripts/gradcheck-noise.ts [cases ≥ 1] [integer seed] [central|richardson|complex-step]");
  process.exit(2);
}

let entries = 0;
let worstSmallAbsolute = 0;
let worstLargeRelative = 0;
let worstReported = 0;
let largestLoss = 0;
const started = performance.now();
for (const document of fc.sample(caseDocument(), { numRuns: cases, seed })) {
  const { network, inputs, targets } = parseCase(document);
  const loss = networkLoss(network, inputs, targets);
  const floor = defaultFloor(loss);
  const analytic = backpropagate(network, inputs, targets).gradients;
  const numeric = oracleGradients(network, inputs, targets, { method });
  const raw = compareGradients(analytic, numeric, { floor: Number.MIN_VALUE });
  for (const entry of raw.entries) {
    entries++;
    if (Math.max(Math.abs(entry.analytic), Math.abs(entry.numeric)) < floor) {
      worstSmallAbsolute = Math.max(worstSmallAbsolute, entry.absoluteError);
    } else {
      worstLargeRelative = Math.max(worstLargeRelative, entry.relativeError);
    }
  }
  worstReported = Math.max(worstReported, compareGradients(analytic, numeric, { floor }).maxRelativeError);
  largestLoss = Math.max(largestLoss, Math.abs(loss));
}
const seconds = (performance.now() - started) / 1000;
console.log(`method                                      ${method}`);
console.log(`cases                                       ${cases} (seed ${seed}), ${entries} entries`);
console.log(`largest loss |E|                            ${largestLoss.toPrecision(3)}`);
console.log(`worst absolute error, entries below floor   ${worstSmallAbsolute.toExponential(2)}`);
console.log(`worst relative error, entries above floor   ${worstLargeRelative.toExponential(2)}`);
console.log(`worst relative error reported by the check  ${worstReported.toExponential(2)}`);
console.log(`time                                        ${seconds.toFixed(1)} s, ${(cases / seconds).toFixed(0)} cases/s`);
