/**
 * The fused update of a training step: steps 5–7 of the derivation in one pass over a weight
 * matrix, $W \leftarrow W + \left(\left(\sum_b \delta_{\cdot b}\, o_{\cdot b}^\top\right) \tfrac1B\right)(-\eta)$, with
 * the roundings of the separate steps in their order, so that the weights come out bit for bit
 * as {@link model/backprop!trainingStep | trainingStep} leaves them, without writing the
 * gradient or the delta weights anywhere.
 *
 * This belongs to training, not to the derivation: the derivation keeps every quantity (the
 * reference path), training needs only the updated weights, and the weights are the one large
 * array of a step.
 *
 * @module
 */
import { ShapeError } from "../numeric/errors.js";
import { dotProductsStep, outerProductStep } from "../numeric/kernels.js";
import { dimensions, isDense, shapeText, type Matrix } from "../numeric/tensor.js";

/**
 * Adds a scaled product to a matrix in place — one step of gradient descent on a weight matrix,
 * in a single pass over it:
 *
 * $$W_{jk} \leftarrow W_{jk} + \Big(\big(\textstyle\sum_{b} A_{jb}\, O_{kb}\big)\, s_1\Big)\, s_2$$
 *
 * With $A = \delta^{(l)}$, $O = o^{(l-1)}$, $s_1 = 1/B$ and $s_2 = -\eta$ this is
 * $W^{(l)} + \Delta W^{(l)}$ with $\Delta W^{(l)} = -\eta\, \delta^{(l)} o^{(l-1)\top} / B$, computed
 * with the same roundings, in the same order, as {@link numeric/tensor!multiply | multiply} (the sum, from zero, in
 * increasing $b$), then the product by $s_1$, then by $s_2$, then the addition: bit for bit the
 * weights that the separate steps give, without writing the gradient anywhere. The weights are
 * the one large array of a training step, and this reads and writes each of them once.
 *
 * With a `decay` $c$ the step also carries the weight decay's share of the gradient (step 5b,
 * {@link model/weight-decay!weightDecayGradients | weightDecayGradients}), with the weight before the step:
 *
 * $$W_{jk} \leftarrow W_{jk} + \Big(\big(\textstyle\sum_{b} A_{jb}\, O_{kb}\big)\, s_1 + c\, W_{jk}\Big)\, s_2,$$
 *
 * with $c = \lambda'$ the gradient $\frac1B \delta o^\top + \lambda' W$ times $-\eta$, rounded as the
 * separate steps round it (the product $c W_{jk}$, then the sum, then the product by $s_2$). At
 * $c = 0$ nothing is added: the step is the one above, bit for bit.
 *
 * With a `velocity` $v$ and a `momentum` $\mu$, the step $d$ above is followed by the momentum
 * term, again entry by entry in the order of the separate steps:
 * $W \leftarrow (W + d) + \mu v$ and $v \leftarrow \mu v + d$.
 *
 * Shapes: `target` and `velocity` are $m \times n$, `a` is $m \times B$, `o` is $n \times B$, all
 * stored densely row after row.
 *
 * Whether the result is finite is known without a look at every entry. Every entry of `target`
 * is assumed finite before the call (a caller that computed $W o$ with these weights and found
 * every sum finite knows it: an infinite or NaN weight makes its row's sum infinite or NaN,
 * whatever $o$ holds, since $\infty \cdot 0$ is NaN). Then with
 * $M = B \max|A| \max|O|\, |s_1|\, |s_2|$, which bounds every step up to a few roundings, a
 * step below $2^{960}$ cannot carry a finite weight past the largest float64 ($\approx 2^{1024}$,
 * whose rounding unit is $2^{971}$). Only when $M$ is not below $2^{960}$ (or is NaN) are the
 * updated entries looked at one by one. With momentum or a decay the entries are always looked at.
 *
 * @param target - $W$, updated in place
 * @param a - $A$ ($\delta$, one sample per column)
 * @param o - $O$ (the previous layer's outputs, one sample per column)
 * @param firstScale - $s_1$
 * @param secondScale - $s_2$
 * @param velocity - $v$, updated in place, or `null` for no momentum
 * @param momentum - $\mu$ (ignored without a velocity)
 * @param sums - room for four rows of sums, at least $4n$ numbers, used for a batch or with
 *   momentum (see {@link fusedUpdateRoom}); training passes the one its workspace made, and a
 *   new one is made if left out
 * @param decay - $c$, the weight decay's coefficient $\lambda'$; default $0$, none
 * @returns whether every updated entry of `target` (and of `velocity`) is finite, if every entry
 *   of `target` was finite before
 */
export function addScaledProduct(
  target: Matrix,
  a: Matrix,
  o: Matrix,
  firstScale: number,
  secondScale: number,
  velocity: Matrix | null = null,
  momentum = 0,
  sums?: Float64Array,
  decay = 0,
): boolean {
  const [m, n] = dimensions(target);
  const [mA, samples] = dimensions(a);
  const [nO, samplesO] = dimensions(o);
  if (mA !== m || nO !== n || samplesO !== samples || (velocity !== null && (velocity.shape[0] !== m || velocity.shape[1] !== n))) {
    throw new ShapeError(
      `cannot add the product of ${shapeText(a)} and the transpose of ${shapeText(o)} to ${shapeText(target)}` +
        (velocity === null ? "" : ` with a ${shapeText(velocity)} velocity`) +
        `: expected ${m}×B and ${n}×B for a ${m}×${n} target`,
    );
  }
  if (!isDense(target) || !isDense(a) || !isDense(o) || (velocity !== null && !isDense(velocity))) {
    throw new ShapeError("addScaledProduct needs arrays stored densely, row after row (as zeros() makes them), not views");
  }
  const [w, x, y] = [target.data, a.data, o.data];
  const [wStart, aStart, oStart] = [target.offset, a.offset, o.offset];
  if (velocity === null && samples === 1) {
    outerProductStep(w, wStart, x, aStart, y, oStart, m, n, firstScale, secondScale, decay);
  } else {
    // Only this path keeps sums; the one-sample step above needs no room.
    const room = sums ?? new Float64Array(fusedUpdateRoom(n));
    if (room.length < fusedUpdateRoom(n)) {
      throw new ShapeError(
        `the fused update of a ${shapeText(target)} target needs room for ${fusedUpdateRoom(n)} sums, got ${room.length}`,
      );
    }
    const finite = dotProductsStep(
      w,
      wStart,
      x,
      aStart,
      y,
      oStart,
      m,
      n,
      samples,
      firstScale,
      secondScale,
      decay,
      velocity?.data ?? null,
      velocity?.offset ?? 0,
      momentum,
      room,
    );
    if (velocity !== null) return finite;
  }
  // The decay's share c W_jk is bounded by no product of A and O: look at the entries.
  if (decay !== 0) return allEntriesFinite(w, wStart, m * n);
  const bound =
    samples *
    largestMagnitude(x, aStart, m * samples) *
    largestMagnitude(y, oStart, n * samples) *
    Math.abs(firstScale) *
    Math.abs(secondScale);
  return bound < 2 ** 960 || allEntriesFinite(w, wStart, m * n);
}

/**
 * How many numbers the sums of {@link addScaledProduct} need for a target of $n$ columns: four
 * rows of them, $4n$.
 *
 * @param columns - $n$, the columns of the weight matrix (the units of the layer before)
 */
export function fusedUpdateRoom(columns: number): number {
  return 4 * columns;
}

/** The largest $|x_i|$ of `length` entries from `start` (NaN if one is NaN; 0 for none). */
function largestMagnitude(data: Float64Array, start: number, length: number): number {
  let largest = 0;
  for (let i = start; i < start + length; i++) {
    const magnitude = Math.abs(data[i]!);
    if (Number.isNaN(magnitude)) return Number.NaN;
    if (magnitude > largest) largest = magnitude;
  }
  return largest;
}

/** Whether `length` entries from `start` are all finite. */
function allEntriesFinite(data: Float64Array, start: number, length: number): boolean {
  for (let i = start; i < start + length; i++) if (!Number.isFinite(data[i])) return false;
  return true;
}
