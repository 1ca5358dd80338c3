"""The worked example computed once, independently of the library, in 50-digit decimal arithmetic.

Reads the case docs/examples/xor-2-2-1-sigmoid.json (a 2-2-1 sigmoid network with squared
error and no biases, two samples) and takes it through one step of gradient descent by the
formulas of docs/derivation/01-notation.md, written out sample by sample with Python's decimal module at 60 digits,
starting from the exact values of the case's float64 numbers. Every quantity is written to
docs/examples/xor-2-2-1-sigmoid.decimal.json to 50 significant digits. That file is the one
source of the worked example's numbers: the specs compare the library with it, and the worked
example page (scripts/worked-example.ts) prints it beside the library's float64 values.

    python3 scripts/worked-example-decimal.py           # writes the file
    python3 scripts/worked-example-decimal.py --check   # exits 1 if the committed file differs

Matrices are written as the library holds them: one row per unit, one column per sample.
"""
import json
import sys
from decimal import Decimal, getcontext
from pathlib import Path

getcontext().prec = 60
DIGITS = 50
root = Path(__file__).resolve().parent.parent
case_path = root / "docs" / "examples" / "xor-2-2-1-sigmoid.json"
out_path = root / "docs" / "examples" / "xor-2-2-1-sigmoid.decimal.json"


def exact(value):
    """The exact value of a float64 read from JSON."""
    return Decimal(float(value))


def sigmoid(z):
    return 1 / (1 + (-z).exp())


def columns(rows):
    """Samples as rows (the case format) to samples as columns (the library)."""
    return [[rows[b][k] for b in range(len(rows))] for k in range(len(rows[0]))]


def main():
    case = json.loads(case_path.read_text())
    assert case["sizes"] == [2, 2, 1] and case["activations"] == ["sigmoid", "sigmoid"]
    assert case["loss"] == "squared_error" and case["biases"] is None
    W = [[[exact(w) for w in row] for row in matrix] for matrix in case["weights"]]
    x = columns([[exact(v) for v in row] for row in case["inputs"]])
    t = columns([[exact(v) for v in row] for row in case["targets"]])
    eta = exact(case["learningRate"])
    B = len(case["inputs"])
    L = len(W)

    # Forward: z(l) = W(l) o(l-1), o(l) = sigmoid(z(l)), one sample (column) at a time.
    outputs = [x]
    preactivations = []
    for l in range(L):
        z = [[sum(W[l][j][k] * outputs[l][k][b] for k in range(len(W[l][j]))) for b in range(B)] for j in range(len(W[l]))]
        preactivations.append(z)
        outputs.append([[sigmoid(value) for value in row] for row in z])
    o = outputs[L]
    loss = sum(sum(Decimal("0.5") * (t[k][b] - o[k][b]) ** 2 for k in range(len(o))) for b in range(B)) / B

    # Backward: e(L) = t - o(L); delta = -e * f'(z) with f'(z) = s(1 - s); e(l) = -W(l+1)^T delta(l+1).
    errors = [None] * L
    deltas = [None] * L
    errors[L - 1] = [[t[k][b] - o[k][b] for b in range(B)] for k in range(len(o))]
    for l in range(L - 1, -1, -1):
        if l < L - 1:
            nxt = W[l + 1]
            errors[l] = [[-sum(nxt[j][k] * deltas[l + 1][j][b] for j in range(len(nxt))) for b in range(B)] for k in range(len(nxt[0]))]
        s = outputs[l + 1]
        deltas[l] = [[-errors[l][j][b] * s[j][b] * (1 - s[j][b]) for b in range(B)] for j in range(len(s))]

    # Gradients dE/dW(l) = delta(l) o(l-1)^T / B, delta weights -eta dE/dW, updated W + dW.
    gradients = [[[sum(deltas[l][j][b] * outputs[l][k][b] for b in range(B)) / B for k in range(len(W[l][0]))] for j in range(len(W[l]))] for l in range(L)]
    delta_weights = [[[-eta * g for g in row] for row in matrix] for matrix in gradients]
    updated = [[[w + d for w, d in zip(wrow, drow)] for wrow, drow in zip(wm, dm)] for wm, dm in zip(W, delta_weights)]

    def text(value):
        return value if isinstance(value, str) else format(+value.normalize() if value == 0 else value, f".{DIGITS - 1}e")

    def deep(value):
        return [deep(item) for item in value] if isinstance(value, list) else text(value)

    document = {
        "comment": "The worked example (docs/examples/xor-2-2-1-sigmoid.json) in 60-digit decimal arithmetic from the exact values of its float64 numbers, "
        "written to 50 significant digits by scripts/worked-example-decimal.py. Matrices hold one row per unit and one column per sample.",
        "case": "docs/examples/xor-2-2-1-sigmoid.json",
        "digits": DIGITS,
        "loss": deep(loss),
        "preactivations": deep(preactivations),
        "outputs": deep(outputs[1:]),
        "errors": deep(errors),
        "deltas": deep(deltas),
        "gradients": {"weights": deep(gradients), "biases": None},
        "deltaWeights": {"weights": deep(delta_weights), "biases": None},
        "updated": {"weights": deep(updated), "biases": None},
    }
    written = json.dumps(document, indent=2) + "\n"
    if "--check" in sys.argv[1:]:
        if out_path.read_text() != written:
            print(f"{out_path.relative_to(root)} differs from what scripts/worked-example-decimal.py computes: run it and commit the file", file=sys.stderr)
            sys.exit(1)
        return
    out_path.write_text(written)


if __name__ == "__main__":
    main()
