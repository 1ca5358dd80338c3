#!/usr/bin/env python3
"""One step of gradient descent for a multilayer perceptron, in plain NumPy.

A complete implementation of backprop-ref's case format (docs/case-format.md), written the way
a student who knows the chain rule would write it: one function per step of the derivation, in
the order of the derivation, in the notation of docs/derivation/01-notation.md.

It answers backprop-ref's fuzz protocol: each line of standard input is one compact
``backprop-ref/case@1`` document, and for each it writes one line to standard output, a
``backprop-ref/result@1`` document or, for a case it refuses, a ``backprop-ref/rejection@1``
document. It exits 0 when standard input closes. It reads ``backprop-ref/case@2`` too, a case
with a ``weightDecay`` c: the loss gains the penalty (c/2) sum of W^2 over the weights (not the
biases), each weight's gradient c W (step 5b below).

    echo '{"format": "backprop-ref/case@1", ...}' | python3 docs/examples/numpy_mlp.py
    npx backprop-ref fuzz -- python3 docs/examples/numpy_mlp.py

A result carries the case's ``id`` when it has one; a rejection carries it too, or ``null``.
Diagnostics go to standard error.

``--mistake NAME`` makes one well-known mistake instead of the exact computation, so that you
can see what each looks like from the outside (every one is marked ``MISTAKE`` below, beside
the line it changes). Nothing computed with a mistake is a gradient.

Layout: in the JSON documents samples are rows; here, inside, samples are COLUMNS, as in the
notation. ``x`` is n_0 x B, ``z[l]`` and ``o[l]`` are n_l x B, ``W`` is n_l x n_{l-1}. Python
lists count from 0, so ``weights[l]`` is W^(l+1) and ``z[l]`` is z^(l+1), while ``o[0]`` is x
and ``o[l]`` is o^(l): the list of outputs has one more entry than the others.

Standard library and NumPy only; Python 3.9 or newer.
"""
import argparse
import json
import math
import sys

import numpy as np

CASE_FORMAT = "backprop-ref/case@1"
CASE_FORMAT_2 = "backprop-ref/case@2"  # case@1 with an optional weightDecay
RESULT_FORMAT = "backprop-ref/result@1"
REJECTION_FORMAT = "backprop-ref/rejection@1"

# The deliberate mistakes of --mistake, each a classic of hand-written backpropagation.
MISTAKES = {
    "intuitive-rule": "hidden errors W^T e without the next layer's f', and -(e * f') "
                      "as the delta at every layer whatever the loss",
    "missing-derivative": "hidden deltas leave out f'(z)",
    "derivative-at-output": "f' evaluated at the output o instead of at z",
    "transposed-hidden-error": "the hidden error sent back through W instead of W^T",
    "transposed-weights": "every weight-shaped matrix of the result written n_{l-1} x n_l",
    "batch-sum": "gradients summed over the batch instead of averaged",
    "bias-sum": "bias gradients summed over the batch, weight gradients averaged",
    "weights-updated-early": "each layer updated before the error is sent back through it",
    "softmax-jacobian-twice": "softmax + cross-entropy: the softmax Jacobian applied after "
                              "the fused delta",
    "sign-flipped": "gradients with the wrong sign",
    "learning-rate-twice": "the step is -eta^2 times the gradient",
    "learning-rate-missing": "the step is minus the gradient, without eta",
    "weight-decay-ignored": "the weightDecay of a case@2 left out altogether",
    "decayed-biases": "the biases decayed too: their squares in the penalty, c b in their gradients",
    "decay-without-learning-rate": "the decay not scaled by eta: Delta W = -eta g - c W",
    "penalty-left-out-of-loss": "the loss reported without the penalty",
    "penalty-without-half": "the penalty c sum W^2 without its 1/2: gradients g + 2 c W",
}


class CaseError(ValueError):
    """A case that breaks the format: answered with a rejection."""


# ---------------------------------------------------------------------------------------------
# Activations f and their derivatives f', element by element. Every form is stable: no exp of a
# large positive number, and the slopes are computed from z, never as 1 - (a rounded output).
# ---------------------------------------------------------------------------------------------

def sigmoid(z):
    """sigma(z) = 1 / (1 + e^-z), split by sign so that exp only sees -|z|."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_derivative(z):
    """sigma'(z) = sigma(z) (1 - sigma(z)) = e / (1 + e)^2 with e = e^-|z|."""
    e = np.exp(-np.abs(z))
    return e / (1 + e) ** 2


def tanh_derivative(z):
    """tanh'(z) = 1 - tanh(z)^2 = 4e / (1 + e)^2 with e = e^-2|z|."""
    e = np.exp(-2 * np.abs(z))
    return 4 * e / (1 + e) ** 2


def softplus(z):
    """softplus(z) = log(1 + e^z), as log(e^0 + e^z) without overflow."""
    return np.logaddexp(0.0, z)


# name: (f, f'). relu and leaky_relu take the left slope at their kink z = 0.
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (np.tanh, tanh_derivative),
    "relu": (lambda z: np.where(z > 0, z, 0.0), lambda z: np.where(z > 0, 1.0, 0.0)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01)),
    "softplus": (softplus, sigmoid),
    "identity": (lambda z: z, np.ones_like),
}


def softmax(z):
    """Softmax of each column, the column's largest entry subtracted first (no overflow)."""
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)


def log_softmax(z):
    """log o for o = softmax(z), from z: (z - m) - log(1 + sum of the others' e^(z_j - m)).

    m = z_a is the largest entry of each column; its own term e^(z_a - m) is exactly 1, so it is
    left out of the sum and added back by log1p, which keeps the digits of a small sum.
    """
    samples = np.arange(z.shape[1])
    largest = np.argmax(z, axis=0)
    shifted = z - z[largest, samples]
    others = np.exp(shifted)
    others[largest, samples] = 0.0
    return shifted - np.log1p(others.sum(axis=0))


def softmax_backward(o, g):
    """The chain rule through softmax: dE/dz = J^T g = o * (g - sum_j o_j g_j), per column."""
    return o * (g - (o * g).sum(axis=0))


def slope(activation, z, o, mistake):
    """f'(z) for an element-wise activation."""
    derivative = ACTIVATIONS[activation][1]
    if mistake == "derivative-at-output":
        # MISTAKE: f' applied to the layer's output o = f(z) instead of its weighted sum z
        # (the same for relu, leaky_relu and identity, whose slope depends on the sign only).
        return derivative(o)
    return derivative(z)


# ---------------------------------------------------------------------------------------------
# The steps of the derivation, in order: forward pass, loss, output delta (steps 1-2), hidden
# deltas (3-4), gradients (5), delta weights (6), update (7); then one training step of all.
# ---------------------------------------------------------------------------------------------

def forward(weights, biases, activations, x):
    """The forward pass: z^(l) = W^(l) o^(l-1) + b^(l), o^(l) = f_l(z^(l)), for l = 1..L.

    Returns the weighted sums z (z[l] is z^(l+1)) and the outputs o (o[0] = x, o[l] = o^(l)).
    """
    z, o = [], [x]
    for l, (w, activation) in enumerate(zip(weights, activations)):
        weighted_sum = w @ o[-1]
        if biases is not None:
            weighted_sum = weighted_sum + biases[l][:, None]  # b^(l) added to every column
        z.append(weighted_sum)
        if activation == "softmax":
            o.append(softmax(weighted_sum))
        else:
            o.append(ACTIVATIONS[activation][0](weighted_sum))
    return z, o


def batch_loss(loss, z, o, t):
    """E, the mean over the B samples of each sample's loss summed over the output units.

    z, o, t are the output layer's z^(L), o^(L) and the targets, n_L x B.
    """
    if loss == "squared_error":
        per_sample = 0.5 * ((t - o) ** 2).sum(axis=0)
    elif loss == "cross_entropy":  # -sum_k t_k log o_k, with log o from z
        per_sample = -(t * log_softmax(z)).sum(axis=0)
    else:  # binary_cross_entropy: log o = -softplus(-z), log(1 - o) = -softplus(z)
        per_sample = (t * softplus(-z) + (1 - t) * softplus(z)).sum(axis=0)
    samples = t.shape[1]
    mean = per_sample.sum() / samples
    if not math.isfinite(mean):
        mean = (per_sample / samples).sum()  # the sum overflowed: add up the shares instead
    return mean


def output_delta(loss, activation, z, o, t, mistake):
    """Steps 1 and 2, the output error and delta: delta^(L) = dE/dz^(L), n_L x B.

    The error is the seed's e^(L) = t - o^(L); for squared error dE/do = -e, so:
    - squared_error, element-wise output: delta = -e * f'(z), one slope per entry;
    - squared_error, softmax output: delta = J^T (-e), through softmax's Jacobian;
    - cross_entropy (softmax output): delta = o sum_k t_k - t (o - t when the targets sum to 1);
    - binary_cross_entropy (sigmoid output): delta = o - t.
    The last two are fused: the loss's 1/o cancels the activation's slope.

    (t - o is taken as it comes. Near an asymptote, o = 1 - 1e-17 say, it keeps fewer digits
    than backprop-ref's, which takes 1 - o from z, but it is off by 1e-16 at most, far inside
    the tolerance, and multiplied by a slope of about 1e-17 where it matters.)
    """
    error = t - o
    if mistake == "intuitive-rule":
        # MISTAKE: the seed's rule takes -(e * f') as the delta, whatever the loss.
        if activation == "softmax":
            raise CaseError("the intuitive rule needs element-wise activations, "
                            "but the output layer is softmax")
        return -error * slope(activation, z, o, mistake)
    if loss == "squared_error" and activation == "softmax":
        return softmax_backward(o, -error)
    if loss == "squared_error":
        return -error * slope(activation, z, o, mistake)
    if loss == "cross_entropy":
        delta = o * t.sum(axis=0) - t
        if mistake == "softmax-jacobian-twice":
            # MISTAKE: the fused delta is already dE/dz, but it is passed through softmax again.
            delta = softmax_backward(o, delta)
        return delta
    return o - t


def hidden_delta(next_weights, next_delta, next_error, activation, z, o, mistake):
    """Steps 3 and 4 for a hidden layer l, from the layer above it (l + 1).

    Step 3, the error sent back through the weights: e^(l) = -W^(l+1)^T delta^(l+1), n_l x B
    (W^(l+1) is n_{l+1} x n_l, so its transpose maps n_{l+1} x B back to n_l x B).
    Step 4, through the layer's own activation: delta^(l) = -e^(l) * f_l'(z^(l)).
    Returns (e^(l), delta^(l)); next_error is e^(l+1), which only the intuitive rule reads.
    """
    if mistake == "intuitive-rule":
        # MISTAKE: the error itself is split back along the weights, W^T e, leaving out the next
        # layer's f' (the chain rule must pass through it before the weights).
        error = next_weights.T @ next_error
    elif mistake == "transposed-hidden-error":
        # MISTAKE: W instead of W^T. NumPy raises for a matrix that is not square.
        error = -(next_weights @ next_delta)
    else:
        error = -(next_weights.T @ next_delta)
    if mistake == "missing-derivative":
        return error, -error  # MISTAKE: no f_l'(z^(l))
    return error, -error * slope(activation, z, o, mistake)


def gradients(delta, previous_outputs, mistake):
    """Step 5, the gradients of one layer as batch means.

    dE/dW^(l) = delta^(l) o^(l-1)^T / B (n_l x B times B x n_{l-1}: the shape of W^(l)),
    dE/db^(l) = the mean of delta^(l) over the samples (columns).
    """
    samples = delta.shape[1]
    if mistake == "sign-flipped":
        # MISTAKE: the seed's "error x slope" e * f' = -delta is used as if it were dE/dz.
        delta = -delta
    if mistake == "transposed-weights":
        # MISTAKE: the outer product the other way round, o^(l-1) delta^T: n_{l-1} x n_l.
        weight_gradient = previous_outputs @ delta.T / samples
    elif mistake == "batch-sum":
        weight_gradient = delta @ previous_outputs.T  # MISTAKE: summed, not divided by B
    else:
        weight_gradient = delta @ previous_outputs.T / samples
    if mistake in ("batch-sum", "bias-sum"):
        bias_gradient = delta.sum(axis=1)  # MISTAKE: summed, not averaged
    else:
        bias_gradient = delta.mean(axis=1)
    return weight_gradient, bias_gradient


def delta_weights(gradient, learning_rate, mistake):
    """Step 6, a step of size eta against the gradient: Delta W = -eta dE/dW."""
    if mistake == "learning-rate-twice":
        return -learning_rate * learning_rate * gradient  # MISTAKE: eta applied twice
    if mistake == "learning-rate-missing":
        return -gradient  # MISTAKE: eta forgotten
    return -learning_rate * gradient


def update(parameter, step, mistake):
    """Step 7, the update: W + Delta W (and b + Delta b)."""
    if mistake == "transposed-weights" and parameter.ndim == 2:
        # MISTAKE: the student's weights are kept input x output, W^T.
        parameter = parameter.T
    return parameter + step


def weight_decay_gradient(w, decay, mistake):
    """Step 5b, the penalty's share of a weight's gradient: d/dW (c/2) sum W^2 = c W."""
    if mistake == "transposed-weights":
        return decay * w.T  # the gradient is kept input x output under this mistake
    return decay * w


def penalty(weights, biases, decay, mistake):
    """The weight-decay penalty of the loss: (c/2) times the sum of every weight squared."""
    squares = sum(float((w ** 2).sum()) for w in weights)
    if mistake == "decayed-biases" and biases is not None:
        squares += sum(float((b ** 2).sum()) for b in biases)  # MISTAKE: the biases' squares too
    if mistake == "penalty-left-out-of-loss":
        return 0.0  # MISTAKE: the gradient has the penalty, the loss reported does not
    return decay / 2 * squares


def backward(weights, activations, loss, z, o, t, learning_rate, decay, mistake):
    """Steps 1-5 for every layer, from the output down: the gradients of every layer.

    Returns the gradients of the batch mean, weights and biases, each a list with one entry per
    weight layer; step 5b (the weight decay) is the caller's. ``decay`` is the coefficient c of
    the penalty's gradient, which only weights-updated-early reads here.
    """
    L = len(weights)
    weight_gradients, bias_gradients = [None] * L, [None] * L
    error = t - o[L]
    delta = output_delta(loss, activations[L - 1], z[L - 1], o[L], t, mistake)
    for l in reversed(range(L)):  # weights[l] is W^(l+1), delta is delta^(l+1)
        weight_gradients[l], bias_gradients[l] = gradients(delta, o[l], mistake)
        if l > 0:
            sending = weights[l]
            if mistake == "weights-updated-early":
                # MISTAKE: the layer is updated as soon as its gradient is known, so the layer
                # below gets its error through the new weights, not those of the forward pass.
                step = delta_weights(weight_gradients[l] + weight_decay_gradient(weights[l], decay, mistake),
                                     learning_rate, mistake)
                sending = update(weights[l], step, mistake)
            error, delta = hidden_delta(sending, delta, error,
                                        activations[l - 1], z[l - 1], o[l], mistake)
    return weight_gradients, bias_gradients


def training_step(case, mistake=None):
    """One step of gradient descent on a checked case: its backprop-ref/result@1 document."""
    activations, loss, learning_rate = case["activations"], case["loss"], case["learningRate"]
    decay = case.get("weightDecay", 0.0)  # c; absent in a case@1
    if mistake == "weight-decay-ignored":
        decay = 0.0  # MISTAKE: the case@2's weightDecay skipped
    if mistake == "penalty-without-half":
        decay = 2 * decay  # MISTAKE: c sum W^2 is the penalty of 2c: its gradient is 2 c W
    weights = [np.array(w, dtype=float) for w in case["weights"]]
    biases = None
    if case["biases"] is not None:
        biases = [np.array(b, dtype=float) for b in case["biases"]]
    x = np.array(case["inputs"], dtype=float).T  # samples become columns: n_0 x B
    t = np.array(case["targets"], dtype=float).T  # n_L x B

    z, o = forward(weights, biases, activations, x)
    loss_value = batch_loss(loss, z[-1], o[-1], t)
    if decay != 0:
        loss_value = loss_value + penalty(weights, biases, decay, mistake)
    mean_gradients, bias_gradients = backward(weights, activations, loss, z, o, t,
                                              learning_rate, decay, mistake)
    # Step 5b: the penalty's c W joins each weight's gradient (nothing is added without decay).
    weight_gradients = [g + weight_decay_gradient(w, decay, mistake) if decay != 0 else g
                        for g, w in zip(mean_gradients, weights)]
    if mistake == "decayed-biases" and biases is not None and decay != 0:
        bias_gradients = [g + decay * b for g, b in zip(bias_gradients, biases)]  # MISTAKE
    weight_steps = [delta_weights(g, learning_rate, mistake) for g in weight_gradients]
    if mistake == "decay-without-learning-rate" and decay != 0:
        # MISTAKE: the decay as a shrink of its own, W - c W, beside the step -eta g of the data.
        weight_steps = [delta_weights(g, learning_rate, mistake) - decay * w
                        for g, w in zip(mean_gradients, weights)]
    updated_weights = [update(w, step, mistake) for w, step in zip(weights, weight_steps)]
    if biases is None:
        bias_gradients = bias_steps = updated_biases = []  # written as null
    else:
        bias_steps = [delta_weights(g, learning_rate, mistake) for g in bias_gradients]
        updated_biases = [update(b, step, mistake) for b, step in zip(biases, bias_steps)]

    # Finite input can overflow (weights of 1e300); refuse it rather than answer with infinities.
    # A weighted sum may overflow where its activation is still finite (sigmoid(inf) = 1).
    check_finite("the outputs", o)
    check_finite("the loss", [loss_value])
    check_finite("the gradients", weight_gradients + bias_gradients)
    check_finite("the updated weights", updated_weights + updated_biases)

    def parameters(weight_list, bias_list):
        return {"weights": [w.tolist() for w in weight_list],
                "biases": None if biases is None else [b.tolist() for b in bias_list]}

    result = {"format": RESULT_FORMAT}
    if isinstance(case.get("id"), str):
        result["id"] = case["id"]
    result.update({
        "loss": float(loss_value),
        "outputs": o[-1].T.tolist(),  # back to one row per sample
        "gradients": parameters(weight_gradients, bias_gradients),
        "deltaWeights": parameters(weight_steps, bias_steps),
        "updated": parameters(updated_weights, updated_biases),
    })
    return result


def check_finite(what, arrays):
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise CaseError(f"{what} overflowed float64: the weights or inputs are too large")


# ---------------------------------------------------------------------------------------------
# Reading a case: every rule of docs/case-format.md, so that a malformed case is refused with a
# message that names the field, rather than answered or crashed on.
# ---------------------------------------------------------------------------------------------

FIELDS = ["format", "id", "sizes", "activations", "loss", "weights", "biases", "inputs", "targets",
          "learningRate"]
FIELDS_2 = FIELDS + ["weightDecay"]  # case@2: the same, and an optional weightDecay
LOSS_OUTPUTS = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}
MAXIMUM_PARAMETERS = 50_000_000


def read_json(line):
    """Parses one line of UTF-8 JSON as JavaScript does: every number a float64, no NaN or
    Infinity (which Python's json would read), and 1e400 read as inf (refused later)."""
    def no_constant(name):
        raise CaseError(f"the case is not valid JSON: {name} is not a JSON number")
    try:
        return json.loads(line.decode("utf-8"), parse_int=float, parse_constant=no_constant)
    except UnicodeDecodeError as error:
        raise CaseError(f"the case is not UTF-8 text: {error}") from None
    except (json.JSONDecodeError, RecursionError) as error:
        raise CaseError(f"the case is not valid JSON: {error}") from None


def is_number(value):
    return type(value) is float  # bool is not a number here, and every JSON number is a float


def check_number(value, field):
    if not is_number(value):
        raise CaseError(f"{field} must be a number, got {json.dumps(value)[:40]}")
    if not math.isfinite(value):
        raise CaseError(f"{field} must be a finite number, got {value} (beyond float64)")


def check_row(row, field, length):
    if not isinstance(row, list):
        raise CaseError(f"{field} must be an array of numbers")
    if len(row) != length:
        raise CaseError(f"{field} has {len(row)} entries but needs {length}")
    for k, value in enumerate(row):
        check_number(value, f"{field}[{k}]")


def check_rows(rows, field, count, length):
    if not isinstance(rows, list):
        raise CaseError(f"{field} must be an array of rows")
    if count is not None and len(rows) != count:
        raise CaseError(f"{field} has {len(rows)} rows but needs {count}")
    for j, row in enumerate(rows):
        check_row(row, f"{field}[{j}]", length)


def check_case(case):
    """Checks a parsed case against the format; raises CaseError for the first rule it breaks."""
    if not isinstance(case, dict):
        raise CaseError("a case must be a JSON object")
    if case.get("format") not in (CASE_FORMAT, CASE_FORMAT_2):
        raise CaseError(f"format must be {json.dumps(CASE_FORMAT)} or {json.dumps(CASE_FORMAT_2)}")
    fields = FIELDS_2 if case["format"] == CASE_FORMAT_2 else FIELDS
    for field in case:
        if field not in fields:
            raise CaseError(f"unknown field {json.dumps(field)}: "
                            f"a case has the fields {', '.join(fields)}")
    for field in FIELDS:
        if field != "id" and field not in case:
            raise CaseError(f"the case has no field {json.dumps(field)}")
    if case.get("id") is not None and not isinstance(case["id"], str):
        raise CaseError("id must be a string (or null)")

    sizes = case["sizes"]
    if not isinstance(sizes, list) or len(sizes) < 2:
        raise CaseError("sizes must be an array of at least 2 layer sizes")
    for l, n in enumerate(sizes):
        if not (is_number(n) and n.is_integer() and 1 <= n <= 2 ** 53 - 1):
            raise CaseError(f"sizes[{l}] must be a positive integer")
    sizes = [int(n) for n in sizes]
    L = len(sizes) - 1
    activations = case["activations"]
    if not isinstance(activations, list) or len(activations) != L:
        raise CaseError(f"activations must list one activation per weight layer ({L})")
    for l, activation in enumerate(activations):
        if activation not in [*ACTIVATIONS, "softmax"]:
            raise CaseError(f"activations[{l}] must be one of "
                            f"{', '.join(ACTIVATIONS)}, softmax")
        if activation == "softmax" and l != L - 1:
            raise CaseError(f"activations[{l}] is softmax, "
                            "but softmax is allowed in the output layer only")
    loss = case["loss"]
    if loss not in ["squared_error", *LOSS_OUTPUTS]:
        raise CaseError("loss must be one of squared_error, cross_entropy, binary_cross_entropy")
    if loss in LOSS_OUTPUTS and activations[-1] != LOSS_OUTPUTS[loss]:
        raise CaseError(f"loss {loss} needs a {LOSS_OUTPUTS[loss]} output layer, "
                        f"not {activations[-1]}")
    biases = case["biases"]
    if biases is not None and not isinstance(biases, list):
        raise CaseError("biases must be null or an array with one array per weight layer")
    count = sum(sizes[l + 1] * sizes[l] + (sizes[l + 1] if biases is not None else 0)
                for l in range(L))
    if count > MAXIMUM_PARAMETERS:
        raise CaseError(f"sizes need {count} parameters, "
                        f"more than the {MAXIMUM_PARAMETERS} allowed")

    if not isinstance(case["weights"], list) or len(case["weights"]) != L:
        raise CaseError(f"weights must be an array of {L} matrices, one per weight layer")
    for l, w in enumerate(case["weights"]):
        check_rows(w, f"weights[{l}]", sizes[l + 1], sizes[l])  # W^(l+1) is n_{l+1} x n_l
    if biases is not None:
        if len(biases) != L:
            raise CaseError(f"biases must hold {L} arrays, one per weight layer")
        for l, b in enumerate(biases):
            check_row(b, f"biases[{l}]", sizes[l + 1])
    inputs, targets = case["inputs"], case["targets"]
    if not isinstance(inputs, list) or len(inputs) == 0:
        raise CaseError("inputs must be an array of at least one sample (one row per sample)")
    check_rows(inputs, "inputs", None, sizes[0])
    if not isinstance(targets, list) or len(targets) != len(inputs):
        raise CaseError("targets must have one row per sample, as many as inputs")
    check_rows(targets, "targets", None, sizes[-1])
    learning_rate = case["learningRate"]
    check_number(learning_rate, "learningRate")
    if learning_rate < 0:
        raise CaseError("learningRate must be a finite number >= 0")
    if "weightDecay" in case:
        check_number(case["weightDecay"], "weightDecay")
        if case["weightDecay"] < 0:
            raise CaseError("weightDecay must be a finite number >= 0")
    return case


def answer(line, mistake):
    """The one line of output for one line of input: a result, or a rejection.

    A result carries the case's id when it has one (result@1 has no null id); a rejection
    carries it, or null when the line is not a case with a string id.
    """
    case_id = None
    try:
        case = read_json(line)
        if isinstance(case, dict) and isinstance(case.get("id"), str):
            case_id = case["id"]
        document = training_step(check_case(case), mistake)
    except CaseError as error:
        document = {"format": REJECTION_FORMAT, "id": case_id, "message": str(error)}
    except Exception as error:  # never crash on a case: anything else becomes a rejection too
        message = f"{type(error).__name__}: {error}"
        print(f"numpy_mlp.py: case {case_id}: {message}", file=sys.stderr)
        document = {"format": REJECTION_FORMAT, "id": case_id, "message": message}
    return json.dumps(document, allow_nan=False)


def main():
    parser = argparse.ArgumentParser(
        description="Answers backprop-ref/case@1 (and case@2) documents, one per line of standard input, "
                    "with backprop-ref/result@1 documents, one per line of standard output.")
    parser.add_argument("--mistake", choices=list(MISTAKES), metavar="NAME",
                        help="make one deliberate mistake: " +
                        "; ".join(f"{name}: {what}" for name, what in MISTAKES.items()))
    arguments = parser.parse_args()
    np.seterr(all="ignore")  # overflow is checked where it matters, in training_step
    # One line in, one line out, flushed at once: the caller waits for each answer.
    for line in iter(sys.stdin.buffer.readline, b""):
        sys.stdout.write(answer(line, arguments.mistake) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
