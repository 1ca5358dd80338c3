/**
 * A seeded source of random numbers, so that the same seed gives bit-identical networks.
 *
 * The bits come from `pure-rand`'s xoroshiro128+ generator (the package fast-check itself is
 * built on); this module only turns them into the two distributions initialisation needs.
 *
 * @module
 */
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import { describeValue, ValueError } from "./errors.js";

/** A stream of random numbers that depends only on its seed. */
export interface Random {
  /** A number drawn uniformly from $[0, 1)$, a multiple of $2^{-53}$. */
  uniform(): number;
  /** A number drawn from the normal distribution with the given mean and standard deviation. */
  normal(mean: number, standardDeviation: number): number;
}

/**
 * A random stream started from a seed.
 *
 * Normal numbers use the Box–Muller transform, one pair of uniforms per number (the second
 * number of the pair is dropped so that every draw consumes the stream in the same way):
 *
 * $$x = \mu + \sigma \sqrt{-2 \ln(1 - u_1)}\, \cos(2 \pi u_2)$$
 *
 * where $1 - u_1 \in (0, 1]$ keeps the logarithm finite.
 *
 * @param seed - an integer; the same seed always gives the same stream
 * @throws {@link numeric/errors!ValueError | ValueError} for a seed that is not a safe integer (see {@link validateSeed})
 */
export function seededRandom(seed: number): Random {
  validateSeed(seed);
  const generator: RandomGenerator = xoroshiro128plus(seed);
  const uniform = (): number => uniformFloat64(generator);
  return {
    uniform,
    normal(mean: number, standardDeviation: number): number {
      const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
      const angle = 2 * Math.PI * uniform();
      return mean + standardDeviation * radius * Math.cos(angle);
    },
  };
}

/**
 * The rule for a seed: a safe integer, $|s| \le 2^{53} - 1$, so that it is the same number on
 * every machine and in JSON.
 *
 * @param seed - the seed, as given
 * @param field - how the message names it (`seed`, `--seed`)
 * @throws {@link numeric/errors!ValueError | ValueError} `<field> must be a safe integer, got <value>`
 */
export function validateSeed(seed: number, field = "seed"): void {
  if (!Number.isSafeInteger(seed)) throw new ValueError(`${field} must be a safe integer, got ${describeValue(seed)}`);
}
