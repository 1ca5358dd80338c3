/**
 * The fuzz engine in process: a correct implementation passes, each known mistake is caught,
 * shrunk to a small network and named, a failure to answer is reported as one, the same seed
 * replays the same run, and options out of range are refused by name.
 */
import { describe, expect, it } from "vitest";
import { caseResult, parseCase, type CaseDocument } from "../../src/conformance/case-format.js";
import { fuzz, fuzzImplementation, resolveQuantities, type FuzzReport } from "../../src/conformance/fuzz.js";
import { assertAgreement, FuzzFailure, formatFuzzReport } from "../../src/conformance/fuzz-report.js";
import { resolveSpace } from "../../src/conformance/fuzz-space.js";
import { mistakeApplies, type MistakeName, mistakeNames, mistakenResult, weightDecayMistakeNames } from "../../src/conformance/mistakes.js";

/** The reference itself, as another implementation would call it. */
const reference = (document: CaseDocument): unknown => caseResult(parseCase(document));

/** An implementation that makes one mistake wherever it can, and is right elsewhere. */
const making =
  (mistake: MistakeName) =>
  (document: CaseDocument): unknown => {
    const problem = parseCase(document);
    return mistakeApplies(mistake, problem) ? { ...mistakenResult(mistake, problem), id: document.id } : caseResult(problem);
  };

/** The shrunk case of a failed run. */
function shrunk(report: FuzzReport): CaseDocument {
  expect(report.passed).toBe(false);
  expect(report.counterexample).not.toBeNull();
  return report.counterexample!.case;
}

describe("fuzz", () => {
  it("passes the reference on 200 cases of the whole space, repeats included", async () => {
    const report = await fuzzImplementation(reference, { seed: 1 });
    expect(report).toMatchObject({ passed: true, runs: 200, counterexample: null, nondeterminism: null });
    // One case in ten is sent a second time.
    expect(report.calls).toBe(220);
  });

  // The fuzzer sends case@1 documents, without weight decay: the mistakes of the weight decay cannot show.
  it.each(mistakeNames.filter((name) => !(weightDecayMistakeNames as readonly string[]).includes(name)))(
    "catches %s, shrinks it to at most 3 layers of 3 units and 2 samples, and names it",
    async (mistake: MistakeName) => {
      const report = await fuzzImplementation(making(mistake), { seed: 7 });
      const document = shrunk(report);
      expect(document.sizes.length - 1).toBeLessThanOrEqual(3);
      expect(Math.max(...document.sizes)).toBeLessThanOrEqual(3);
      expect(document.inputs.length).toBeLessThanOrEqual(2);
      expect(report.counterexample!.verdict.mistake).toBe(mistake);
      expect(report.counterexample!.verdict.difference).not.toBeNull();
      // The shrunk case fails as reported: the mistake's own result on it is what was judged.
      expect(report.counterexample!.theirs).toEqual(JSON.parse(JSON.stringify(making(mistake)(document))));
    },
  );

  it("judges an implementation that returns only updated weights on its gradients, through the step", async () => {
    const onlyUpdated = (document: CaseDocument): unknown => {
      const { format, id, updated } = making("missing-derivative")(document) as Record<string, unknown>;
      return { format, id, updated };
    };
    const report = await fuzzImplementation(onlyUpdated, { seed: 3, quantities: ["updated"] });
    expect(shrunk(report).sizes.length - 1).toBeGreaterThanOrEqual(2);
    expect(report.counterexample!.verdict.mistake).toBe("missing-derivative");
    expect(report.counterexample!.verdict.note).toMatch(
      /^this implies the gradient -?\d.* for (weights|biases)(\[\d\]){2,3}, where the reference's is -?\d/,
    );
    expect(report.counterexample!.case.learningRate).toBeGreaterThanOrEqual(2 ** -6);

    const right = (document: CaseDocument): unknown => {
      const { format, id, updated } = caseResult(parseCase(document));
      return { format, id, updated };
    };
    expect((await fuzzImplementation(right, { seed: 3, quantities: ["updated"] })).passed).toBe(true);
  });

  it("reports an implementation that answers a repeated case differently as nondeterministic", async () => {
    const seen = new Set<string>();
    const flaky = (document: CaseDocument): unknown => {
      const result = caseResult(parseCase(document));
      const key = JSON.stringify({ ...document, id: null });
      const again = seen.has(key);
      seen.add(key);
      return again ? { ...result, loss: result.loss * (1 + 1e-15) + 1e-300 } : result;
    };
    const report = await fuzzImplementation(flaky, { seed: 4 });
    expect(report.passed).toBe(false);
    expect(report.counterexample).toBeNull();
    expect(report.nondeterminism).not.toBeNull();
    expect(formatFuzzReport(report)).toContain("NONDETERMINISTIC: one case got two different answers when it was sent twice");
  });

  it("reports a thrown exception, a rejection, a wrong id and a non-result as failures with their reasons", async () => {
    const cases: [string, (document: CaseDocument) => unknown, string, RegExp][] = [
      [
        "throws",
        () => {
          throw new RangeError("no");
        },
        "threw",
        /^threw RangeError: no$/,
      ],
      [
        "rejects",
        (document) => ({ format: "backprop-ref/rejection@1", id: document.id, message: "too big" }),
        "rejected",
        /^rejected a valid case: "too big"$/,
      ],
      [
        "wrong id",
        (document) => ({ ...caseResult(parseCase(document)), id: "other" }),
        "wrong-id",
        /^answered the id "other" to the case "fuzz-\d+"/,
      ],
      ["a number", () => 3, "not-an-object", /^answered 3, not a backprop-ref\/result@1 object$/],
      ["NaN", (document) => ({ ...caseResult(parseCase(document)), loss: Number.NaN }), "difference", /./],
    ];
    for (const [what, implementation, reason, note] of cases) {
      const report = await fuzzImplementation(implementation, { seed: 5, runs: 20 });
      const { verdict, case: document } = report.counterexample!;
      expect(verdict.reason, what).toBe(reason);
      if (reason !== "difference") expect(verdict.note, what).toMatch(note);
      // A failure that does not depend on the numbers shrinks to the smallest network there is.
      expect(document.sizes, what).toEqual([1, 1]);
    }
    const nan = await fuzzImplementation(cases[4]![1], { seed: 5, runs: 20 });
    expect(nan.counterexample!.verdict.difference).toMatchObject({ quantity: "loss", given: "null" });
  });

  it("replays the same run from the same seed, and another from another", async () => {
    const first = await fuzzImplementation(making("batch-sum"), { seed: 11 });
    const again = await fuzzImplementation(making("batch-sum"), { seed: 11 });
    const other = await fuzzImplementation(making("batch-sum"), { seed: 12 });
    expect(again).toEqual(first);
    expect(other.counterexample!.path).not.toBe(first.counterexample!.path);
  });

  it("draws only from the space it is given", async () => {
    const drawn: CaseDocument[] = [];
    const space = {
      activations: ["sigmoid", "tanh"],
      losses: ["squared_error"],
      biases: "no",
      maxDepth: 2,
      maxWidth: 3,
      maxBatch: 2,
      learningRates: [0.5],
    } as const;
    const report = await fuzzImplementation(
      (document) => {
        drawn.push(document);
        return reference(document);
      },
      { seed: 6, runs: 100, space },
    );
    expect(report.passed).toBe(true);
    for (const document of drawn) {
      expect(document.activations.every((name) => name === "sigmoid" || name === "tanh")).toBe(true);
      expect(document).toMatchObject({ loss: "squared_error", biases: null, learningRate: 0.5 });
      expect(document.sizes.length).toBeLessThanOrEqual(3);
      expect(Math.max(...document.sizes)).toBeLessThanOrEqual(3);
      expect(document.inputs.length).toBeLessThanOrEqual(2);
    }
  });

  it("refuses a space or quantities out of range, naming the field, what it expects and what it got", () => {
    expect(() => resolveSpace({ activations: ["sigmoid", "swish" as "sigmoid"] })).toThrow(
      'activations must be among sigmoid, tanh, relu, leaky_relu, softplus, identity, softmax, got "swish"',
    );
    expect(() => resolveSpace({ maxDepth: 0 })).toThrow("maxDepth must be a whole number from 1 to 16, got 0");
    expect(() => resolveSpace({ maxWidth: 2.5 })).toThrow("maxWidth must be a whole number from 1 to 64, got 2.5");
    expect(() => resolveSpace({ learningRates: [0.1, -1] })).toThrow("learningRates[1] must be a finite number >= 0, got -1");
    expect(() => resolveSpace({ activations: ["tanh"], losses: ["cross_entropy"] })).toThrow(
      "no output layer can be made from the activations tanh and the losses cross_entropy",
    );
    expect(() => resolveSpace({ activations: ["softmax"] })).toThrow("networks of more than one layer need a hidden activation");
    expect(resolveSpace({ activations: ["softmax"], maxDepth: 1 }).activations).toEqual(["softmax"]);
    expect(() => resolveQuantities([])).toThrow(
      "quantities must name at least one of loss, outputs, gradients, deltaWeights, updated, got none",
    );
    expect(() => resolveQuantities(["gradient"])).toThrow(
      'quantities must be among loss, outputs, gradients, deltaWeights, updated, got "gradient"',
    );
    expect(resolveQuantities(["updated", "loss"])).toEqual(["loss", "updated"]);
  });

  it("throws the report from assertAgreement when the implementation disagrees, and returns it when it agrees", async () => {
    await expect(assertAgreement(reference, { seed: 2, runs: 30 })).resolves.toMatchObject({ passed: true, runs: 30 });
    const failure = await assertAgreement(making("batch-sum"), { seed: 2, runs: 30 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FuzzFailure);
    expect((failure as FuzzFailure).message).toContain("this is the known mistake batch-sum");
    expect((failure as FuzzFailure).message).toMatch(/\n {2}how it arises: .+\n {2}how to fix it: .+/);
    expect((failure as FuzzFailure).message).toMatch(/replay: fuzzImplementation\(implementation, \{ seed: 2, path: "[\d:]+" \}\)/);
  });

  it("agrees with a responder that answers through the engine's own interface", async () => {
    const report = await fuzz((document) => Promise.resolve({ kind: "answer", value: JSON.parse(JSON.stringify(reference(document))) }), {
      seed: 8,
      runs: 50,
    });
    expect(report.passed).toBe(true);
  });
});
