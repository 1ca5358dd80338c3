"""Two of the known mistakes on the worked example, by hand, in 60-digit decimal arithmetic.

Takes the worked example (docs/examples/xor-2-2-1-sigmoid.json: 2-2-1 sigmoid, squared error,
no biases, two samples, learning rate 0.3) through the backward pass as two mistakes of the
catalogue (src/conformance/mistake-catalogue.ts) compute it, sample by sample with Python's
decimal module, from the exact values of the case's float64 numbers, independently of the
library:

- derivative-at-output: every delta -e * f'(o) with f'(o) = sigma(o)(1 - sigma(o)), instead of
  -e * f'(z);
- weights-updated-early: the hidden error sent back through W2 - eta dE/dW2, the output layer's
  weights after their update, instead of W2.

It prints the gradients (and the first layer's updated weights) to 26 digits; the mistakes spec
(spec/conformance/mistakes.spec.ts) pins them.

    python3 scripts/worked-example-mistakes.py
"""
import json
from decimal import Decimal, getcontext
from pathlib import Path

getcontext().prec = 60
case = json.loads((Path(__file__).resolve().parent.parent / "docs" / "examples" / "xor-2-2-1-sigmoid.json").read_text())


def exact(value):
    """The exact value of a float64 read from JSON."""
    return Decimal(float(value))


W1 = [[exact(w) for w in row] for row in case["weights"][0]]
W2 = [[exact(w) for w in row] for row in case["weights"][1]]
X = [[exact(x) for x in row] for row in case["inputs"]]
T = [[exact(t) for t in row] for row in case["targets"]]
eta = exact(case["learningRate"])
B = len(X)


def sigmoid(z):
    return 1 / (1 + (-z).exp())


def slope(z):
    return sigmoid(z) * (1 - sigmoid(z))


def times(W, v):
    return [sum(W[j][k] * v[k] for k in range(len(v))) for j in range(len(W))]


def step(slope_at_output, updated_early):
    z1 = [times(W1, x) for x in X]
    o1 = [[sigmoid(z) for z in column] for column in z1]
    z2 = [times(W2, o) for o in o1]
    o2 = [[sigmoid(z) for z in column] for column in z2]
    d2 = [[-(T[b][0] - o2[b][0]) * slope(o2[b][0] if slope_at_output else z2[b][0])] for b in range(B)]
    G2 = [[sum(d2[b][0] * o1[b][k] for b in range(B)) / B for k in range(2)]]
    back = [[W2[0][k] - eta * G2[0][k] for k in range(2)]] if updated_early else W2
    e1 = [[-back[0][k] * d2[b][0] for k in range(2)] for b in range(B)]
    d1 = [[-e1[b][k] * slope(o1[b][k] if slope_at_output else z1[b][k]) for k in range(2)] for b in range(B)]
    G1 = [[sum(d1[b][j] * X[b][k] for b in range(B)) / B for k in range(2)] for j in range(2)]
    return G1, G2


def show(matrix):
    return [[format(value, ".25e") for value in row] for row in matrix]


for name, arguments in [("reference", (False, False)), ("derivative-at-output", (True, False)), ("weights-updated-early", (False, True))]:
    G1, G2 = step(*arguments)
    print(name)
    print("  gradients.weights[0]", show(G1))
    print("  gradients.weights[1]", show(G2))
    print("  updated.weights[0]  ", show([[W1[j][k] - eta * G1[j][k] for k in range(2)] for j in range(2)]))
