import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCase, type CaseDocument } from "../../src/conformance/case-format.js";
import { FormatError, ShapeError, SpecError } from "../../src/numeric/errors.js";
import { formatModel, modelFormat, readModel, type Model } from "../../src/training/model-file.js";
import { networkToArrays } from "../../src/model/network.js";
import { numRuns } from "../support/arbitraries.js";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";

const modelOf = (document: CaseDocument): Model => {
  const { network } = parseCase(document);
  const inputs = network.spec.sizes[0]!;
  const outputs = network.spec.sizes[network.spec.sizes.length - 1]!;
  return {
    network,
    classes: Array.from({ length: outputs === 1 ? 2 : outputs }, (_, index) => `class ${index}`),
    inputScaling: { scale: new Array<number>(inputs).fill(0.99), offset: new Array<number>(inputs).fill(0.01) },
    dataset: null,
  };
};

describe("the model file", () => {
  it("a saved model reads back exactly: the same spec, bit-identical weights and biases, classes and scaling", () => {
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const model = modelOf(document);
        const again = readModel(formatModel(model));
        expect(again.network.spec).toStrictEqual(model.network.spec);
        expect(networkToArrays(again.network)).toStrictEqual(networkToArrays(model.network));
        expect(again.classes).toStrictEqual(model.classes);
        expect(again.inputScaling).toStrictEqual(model.inputScaling);
        expect(formatModel(again)).toBe(formatModel(model));
      }),
      { numRuns },
    );
  });

  it("refuses malformed files with a message that names the field", () => {
    const document = fc.sample(caseDocument({ depth: { min: 2, max: 2 }, biases: true }), { numRuns: 1, seed: 3 })[0]!;
    const good = JSON.parse(formatModel(modelOf(document))) as Record<string, unknown>;
    const read = (changes: Record<string, unknown>) => () => readModel(JSON.stringify({ ...good, ...changes }));
    expect(() => readModel("{")).toThrow(FormatError);
    expect(() => readModel("[]")).toThrow(/a model must be a JSON object, got \[\]/);
    expect(read({ format: "backprop-ref/case@1" })).toThrow(new FormatError(`format must be "${modelFormat}", got "backprop-ref/case@1"`));
    const { classes: _classes, ...withoutClasses } = good;
    expect(() => readModel(JSON.stringify(withoutClasses))).toThrow(new FormatError("classes is missing"));
    expect(read({ extra: 1 })).toThrow(/extra is not a field of backprop-ref\/model@1/);
    const weights = good["weights"] as number[][][];
    const withNaN = weights.map((matrix, l) => (l === 1 ? matrix.map((row, j) => (j === 0 ? ["NaN", ...row.slice(1)] : row)) : matrix));
    expect(read({ weights: withNaN })).toThrow(new FormatError('weights[1][0][0] must be a finite number, got "NaN"'));
    expect(read({ weights: [weights[0], [...weights[1]!, weights[1]![0]]] })).toThrow(ShapeError);
    expect(read({ weights: weights.slice(0, 1) })).toThrow(/weights has 1 matrices but sizes .* need 2/);
    expect(read({ activations: ["sigmoid", "softmax", "sigmoid"] })).toThrow(SpecError);
    expect(read({ classes: ["one"] })).toThrow(/classes has 1 names but the network has \d+ output units/);
    const tooMany = new Array<number>(document.sizes[0]! + 1).fill(1);
    expect(read({ inputScaling: { scale: tooMany, offset: tooMany } })).toThrow(
      `inputScaling.scale has ${tooMany.length} entries but sizes[0] is ${document.sizes[0]}`,
    );
    expect(read({ inputScaling: [] })).toThrow(/inputScaling must be an object with scale and offset/);
    expect(read({ dataset: 5 })).toThrow(/dataset must be a string or null, got 5/);
  });
});
