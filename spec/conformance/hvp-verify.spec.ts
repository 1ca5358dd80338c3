/**
 * `verify` for second-order answers: the first difference in any of the five quantities of an
 * `hvp@1` answer is named with its position, both values and the relative error; the matching
 * mistake of the R-operator is named with its summary; and the rules of the first-order files'
 * answers (a missing answer, a second one, a stray id, a rejection, the schema) hold for the hvp
 * files too.
 */
import { secondOrderQuantities } from "../../src/oracles/second-order-report.js";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type HvpDocument, hvpResult, parseHvpCase } from "../../src/conformance/hvp-format.js";
import {
  compareHvpAnswers,
  hvpTolerance,
  matchingHvpMistake,
  mistakenHvpAnswer,
  verifyHvpAnswer,
  verifyHvpVectors,
} from "../../src/conformance/hvp-verify.js";
import { secondOrderMistakeNames, secondOrderMistakeSummaries } from "../../src/conformance/second-order-mistakes.js";
import { verifyTolerance } from "../../src/conformance/tolerance.js";
import { rejectionFormat } from "../../src/conformance/vector-format.js";
import { maximumStrayVerdicts } from "../../src/conformance/verify.js";
import { formatVerifyReport } from "../../src/conformance/verify-report.js";
import { FormatError } from "../../src/numeric/errors.js";
import { hvpAnswersOf, hvpVectorFiles } from "../support/vectors.js";

/** The worked example with a direction (docs/examples/xor-2-2-1-sigmoid-hvp.json), and the same with biases. */
const example = JSON.parse(readFileSync(new URL("../../docs/examples/xor-2-2-1-sigmoid-hvp.json", import.meta.url), "utf8")) as Record<
  string,
  unknown
>;
/** The worked example read, its reference answer, and the worked example with biases, made inside each test (nothing runs at import). */
function fixtures() {
  const problem = parseHvpCase(example);
  return {
    problem,
    reference: hvpResult(problem),
    withBiases: parseHvpCase({
      ...example,
      biases: [[0.1, -0.1], [0.2]],
      direction: { weights: (example.direction as { weights: unknown }).weights, biases: [[0.5, 0], [-1]] },
    }),
  };
}

describe("verify for hvp answers", () => {
  it("passes the reference answer, and uses the tolerance: 1e-9 relative passes, 1e-7 fails, in every quantity", () => {
    const { problem, reference } = fixtures();
    expect(hvpTolerance).toEqual(verifyTolerance);
    expect(verifyHvpAnswer(problem, reference)).toStrictEqual({
      id: "xor-2-2-1-sigmoid",
      passed: true,
      difference: null,
      mistake: null,
      note: null,
    });
    const scaledAt = (answer: HvpDocument, quantity: (typeof secondOrderQuantities)[number], factor: number): HvpDocument => {
      const changed = structuredClone(answer) as unknown as Record<string, unknown>;
      if (typeof changed[quantity] === "number") changed[quantity] *= factor;
      else if (quantity === "outputTangents") (changed.outputTangents as number[][])[1]![0]! *= factor;
      else (changed[quantity] as { weights: number[][][] }).weights[1]![0]![1]! *= factor;
      return changed as unknown as HvpDocument;
    };
    for (const quantity of secondOrderQuantities) {
      expect(verifyHvpAnswer(problem, scaledAt(reference, quantity, 1 + 5e-10)).passed, quantity).toBe(true);
      const verdict = verifyHvpAnswer(problem, scaledAt(reference, quantity, 1 + 1e-7));
      expect(verdict.passed, quantity).toBe(false);
      expect(verdict.difference!.quantity).toBe(
        quantity === "hessianVectorProduct" || quantity === "gaussNewtonVectorProduct" ? `${quantity}.weights[1]` : quantity,
      );
      expect(verdict.difference!.position).toBe(quantity === "outputTangents" ? "[1][0]" : quantity.endsWith("Product") ? "[0][1]" : "");
      expect(verdict.difference!.relativeError).toBeCloseTo(1e-7, 15);
    }
  });

  it("reports the first differing quantity in the order of the format, its position, both values and the relative error", () => {
    const { problem, reference, withBiases } = fixtures();
    const changed = structuredClone(reference);
    changed.gaussNewtonVectorProduct.weights[0]![1]![0]! *= 1.5;
    changed.hessianVectorProduct.weights[1]![0]![0]! *= 2;
    const verdict = verifyHvpAnswer(problem, changed);
    expect(verdict.difference).toStrictEqual({
      quantity: "hessianVectorProduct.weights[1]",
      position: "[0][0]",
      expected: reference.hessianVectorProduct.weights[1]![0]![0],
      given: reference.hessianVectorProduct.weights[1]![0]![0]! * 2,
      relativeError: 1,
    });
    expect(verdict.mistake).toBeNull();
    expect(formatVerifyReport({ passed: false, verdicts: [verdict] })).toMatch(
      /^xor-2-2-1-sigmoid: FAIL hessianVectorProduct\.weights\[1\]\[0\]\[0\]: expected \S+, got \S+, relative error 1\.00\nFAILED 1 of 1 tests \(1 no known mistake\)$/,
    );
    const biased = hvpResult(withBiases);
    const bias = structuredClone(biased);
    bias.gaussNewtonVectorProduct.biases![1]![0]! += 1;
    expect(compareHvpAnswers(bias, biased)).toMatchObject({ quantity: "gaussNewtonVectorProduct.biases[1]", position: "[0]" });
  });

  it("reports a shape, a missing field, a non-number and an answer that is not an object as differences, never throwing", () => {
    const { problem, reference } = fixtures();
    expect(compareHvpAnswers(null, reference)).toStrictEqual({
      quantity: "answer",
      position: "",
      expected: "a backprop-ref/hvp@1 object",
      given: "null",
      relativeError: null,
    });
    expect(compareHvpAnswers({ ...reference, directionalDerivative: undefined }, reference)).toMatchObject({
      quantity: "directionalDerivative",
      given: "nothing",
      relativeError: null,
    });
    expect(compareHvpAnswers({ ...reference, outputTangents: [[1, 2]] }, reference)).toMatchObject({
      quantity: "outputTangents",
      expected: "2×1",
      given: "1×2",
    });
    expect(compareHvpAnswers({ ...reference, hessianVectorProduct: [] }, reference)).toMatchObject({
      quantity: "hessianVectorProduct",
      expected: "an object with weights and biases",
    });
    expect(
      compareHvpAnswers(
        { ...reference, gaussNewtonVectorProduct: { ...reference.gaussNewtonVectorProduct, biases: [[0, 0], [0]] } },
        reference,
      ),
    ).toMatchObject({ quantity: "gaussNewtonVectorProduct.biases", expected: "null" });
    expect(
      compareHvpAnswers(
        {
          ...reference,
          hessianVectorProduct: { ...reference.hessianVectorProduct, weights: reference.hessianVectorProduct.weights.slice(1) },
        },
        reference,
      ),
    ).toMatchObject({ quantity: "hessianVectorProduct.weights", expected: "2 layers", given: "1 layers" });
    const { format: _format, ...unformatted } = reference;
    expect(verifyHvpAnswer(problem, unformatted).note).toMatch(
      /^the numbers agree, but the answer is not an hvp@1 document: the document must have required property 'format'/,
    );
    expect(verifyHvpAnswer(problem, { ...reference, extra: 1 }).note).toMatch(/must NOT have additional properties \("extra"\)/);
  });

  it("names each known mistake of the R-operator on the worked example with biases, with its summary", () => {
    const { withBiases } = fixtures();
    for (const name of secondOrderMistakeNames) {
      const verdict = verifyHvpAnswer(withBiases, mistakenHvpAnswer(name, withBiases));
      expect([verdict.passed, verdict.mistake], name).toEqual([false, name]);
      expect(formatVerifyReport({ passed: false, verdicts: [verdict] })).toContain(
        `\n    matches the known mistake ${name}: ${secondOrderMistakeSummaries[name]}\nFAILED 1 of 1 tests (1 ${name})`,
      );
    }
    expect(matchingHvpMistake(withBiases, hvpResult(withBiases))).toBeNull();
  });

  it("fails a missing answer, a second answer, a stray id, an entry that is no answer, a rejection, and a malformed rejection", () => {
    const { file } = hvpVectorFiles[0]!;
    const right = hvpAnswersOf(file, (test) => hvpResult(parseHvpCase(test.case)));
    const [first, second] = file.testGroups[0]!.tests;
    expect(verifyHvpVectors(file, right.slice(1)).verdicts[0]).toMatchObject({
      id: first!.id,
      passed: false,
      note: "no hvp answer or rejection with this id",
    });
    const duplicated = verifyHvpVectors(file, [{ ...(right[0] as object), loss: 12345 }, ...right]);
    expect(duplicated.verdicts[0]).toMatchObject({
      passed: false,
      note: "more than one hvp answer or rejection has this id; give each test one answer",
    });
    const strays = verifyHvpVectors(file, [...right, { ...(right[0] as object), id: "no-such-test" }, 42]);
    expect(strays.verdicts.slice(-2).map(({ id, passed, note }) => ({ id, passed, note }))).toStrictEqual([
      { id: "no-such-test", passed: false, note: `results[${right.length}] answers a test that the vector file does not have` },
      { id: `results[${right.length + 1}]`, passed: false, note: "is not an hvp answer or rejection with a string id, got 42" },
    ]);
    const rejected = verifyHvpVectors(file, [{ format: rejectionFormat, id: first!.id, message: "no" }, ...right.slice(1)]);
    expect(rejected.verdicts[0]).toMatchObject({ passed: false, note: 'rejected a valid case: "no"' });
    const malformed = verifyHvpVectors(file, [right[0], { format: rejectionFormat, id: second!.id }, ...right.slice(2)]);
    expect(malformed.verdicts[1]!.note).toMatch(/^the rejection is not a rejection@1 document: /);
    const flood = verifyHvpVectors(file, [...right, ...new Array<number>(100).fill(1)]);
    expect(flood.verdicts).toHaveLength(right.length + maximumStrayVerdicts + 1);
    expect(verifyHvpVectors(file, right).passed).toBe(true);
  });

  it("judges a wrong test by the valid test of the same case, and checks the file against its schema first", () => {
    const { file } = hvpVectorFiles.find(({ name }) => name === "sigmoid-squared_error-biases.json")!;
    const tests = file.testGroups.flatMap((group) => group.tests);
    const wrong = tests.find((test) => test.result === "wrong")!;
    // Answering a wrong test with its own expected answer is making the mistake.
    const answers = hvpAnswersOf(file, (test) => (test.id === wrong.id ? wrong.expected : hvpResult(parseHvpCase(test.case))));
    const verdict = verifyHvpVectors(file, answers).verdicts.find((candidate) => candidate.id === wrong.id)!;
    expect([verdict.passed, verdict.mistake]).toEqual([false, wrong.mistake]);
    expect(() => verifyHvpVectors({ ...file, numberOfTests: "many" } as never, [])).toThrow(FormatError);
    expect(() => verifyHvpVectors({ ...file, numberOfTests: "many" } as never, [])).toThrow(
      /^the hvp vector file is not a valid hvp-vectors@1 document: numberOfTests must be integer, got "many"$/,
    );
  });
});
