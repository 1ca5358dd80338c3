/**
 * Property-testing another implementation against the reference: random cases from the space
 * it supports, each answer judged, and a failure shrunk by fast-check to the smallest case that
 * still fails (fewest layers, then fewest units, then the smallest batch, then simple numbers),
 * with the seed and path that replay it.
 *
 * {@link fuzz} drives anything that answers a case asynchronously: a child program speaking the
 * JSON Lines protocol (see the `child-program` module), or a JavaScript function through
 * {@link fuzzImplementation}. Some cases are sent a second time, later in the run; an
 * implementation whose two answers differ is reported as nondeterministic.
 *
 * @module
 */
import fc from "fast-check";
import { BackpropRefError, describeValue, ValueError } from "../numeric/errors.js";
import { type CaseDocument, caseResult, parseCase, type Problem, type ResultDocument } from "./case-format.js";
import { type Answer, type FuzzVerdict, judgeAnswer, type Precision } from "./fuzz-judge.js";
import { smallerCases } from "./fuzz-reduce.js";
import { type FieldName, type FuzzSpace, resolveSpace, type ResolvedSpace, spaceCases } from "./fuzz-space.js";
import { type Tolerance, verifyTolerance } from "./tolerance.js";
import { resultQuantities, type ResultQuantity } from "./verify.js";

/** Answers one case: the engine's view of an implementation. */
export type Responder = (document: CaseDocument) => Promise<Answer>;

/** How a fuzz run goes; every field is optional. */
export interface FuzzOptions {
  /** How many random cases to judge before declaring agreement. Default {@link defaultRuns}. */
  readonly runs?: number;
  /** fast-check's seed: the same seed sends the same cases in the same order. Default a random one, which the report gives. */
  readonly seed?: number;
  /** fast-check's path of a counterexample, from a report: with its seed, replays that case and shrinks on from it. */
  readonly path?: string;
  /** What the implementation supports. */
  readonly space?: FuzzSpace;
  /** The quantities the implementation returns. Default all of them. */
  readonly quantities?: readonly ResultQuantity[];
  /** How close numbers must be in float64. Default {@link conformance/tolerance!verifyTolerance | verifyTolerance}. */
  readonly tolerance?: Tolerance;
  /** The implementation's arithmetic. Default `float64`; `float32` judges each number with an allowance derived from the case. */
  readonly precision?: Precision;
  /** Every this many cases, one case sent before is sent again. Default {@link defaultRepeatEvery}; 0 never. */
  readonly repeatEvery?: number;
  /** Called after each case judged, with the number judged so far and the number of runs (shrinking calls it too). */
  readonly onProgress?: (judged: number, runs: number) => void;
}

/** The default number of random cases. */
export const defaultRuns = 200;

/** The default spacing of repeated cases. */
export const defaultRepeatEvery = 10;

/** A failing case as the engine meets it: the case sent, the reference, the answer and its verdict. */
interface Failure {
  readonly document: CaseDocument;
  readonly reference: ResultDocument;
  readonly answer: Answer;
  readonly verdict: FuzzVerdict;
  /** How many units and samples were taken out of fast-check's counterexample to make this one. */
  readonly reductions?: number;
}

/** The smallest case that failed, with both answers. */
export interface FuzzCounterexample {
  /** The shrunk case, as it was sent. */
  readonly case: CaseDocument;
  /** The reference result for it. */
  readonly reference: ResultDocument;
  /** The implementation's answer, as parsed, or `null` when it gave none. */
  readonly theirs: unknown;
  /** Why it disagrees. */
  readonly verdict: FuzzVerdict;
  /** How many smaller cases fast-check found that still failed on the way to this one. */
  readonly shrinks: number;
  /** The path that replays it with the run's seed. */
  readonly path: string;
}

/** A case that got two different answers. */
export interface Nondeterminism {
  /** The case. */
  readonly case: CaseDocument;
  /** The first answer, without its id. */
  readonly first: unknown;
  /** The second answer, without its id. */
  readonly second: unknown;
}

/** The outcome of a fuzz run. */
export interface FuzzReport {
  /** Whether every case agreed and every repeated case got the same answer. */
  readonly passed: boolean;
  /** The seed of the run. */
  readonly seed: number;
  /** How many random cases were judged before the run ended (all of them, or up to the first failure). */
  readonly runs: number;
  /** How many calls the implementation answered in all, repeats and shrinking included. */
  readonly calls: number;
  /** The space the cases were drawn from. */
  readonly space: ResolvedSpace;
  /** The quantities that were compared. */
  readonly quantities: readonly ResultQuantity[];
  /** The arithmetic the implementation was judged in. */
  readonly precision: Precision;
  /** The smallest failing case, or `null` when none failed. */
  readonly counterexample: FuzzCounterexample | null;
  /** Cases that got different answers when sent twice (the first one found). */
  readonly nondeterminism: Nondeterminism | null;
}

/**
 * Checks the quantities an implementation says it returns: a non-empty list of known ones,
 * returned in the order of the result format.
 *
 * @param quantities - as given
 * @param named - how messages name the field (default `quantities`; the command line's `--quantities`)
 * @throws {@link numeric/errors!ValueError | ValueError} for an empty list or an unknown name
 */
export function resolveQuantities(quantities: readonly string[] = resultQuantities, named: FieldName = (field) => field): ResultQuantity[] {
  const field = named("quantities");
  if (quantities.length === 0) throw new ValueError(`${field} must name at least one of ${resultQuantities.join(", ")}, got none`);
  for (const name of quantities) {
    if (!(resultQuantities as readonly string[]).includes(name)) {
      throw new ValueError(`${field} must be among ${resultQuantities.join(", ")}, got ${describeValue(name)}`);
    }
  }
  return resultQuantities.filter((name) => quantities.includes(name));
}

/**
 * Fuzzes an implementation: sends random cases, judges each answer, and shrinks the first
 * failure to the smallest case that still fails.
 *
 * @param respond - answers a case (see {@link Responder})
 * @param options - runs, seed, space, quantities, tolerance
 * @throws {@link numeric/errors!ValueError | ValueError} for options out of range
 */
export async function fuzz(respond: Responder, options: FuzzOptions = {}): Promise<FuzzReport> {
  const runs = options.runs ?? defaultRuns;
  if (!Number.isInteger(runs) || runs < 1) throw new ValueError(`runs must be a whole number >= 1, got ${describeValue(runs)}`);
  const repeatEvery = options.repeatEvery ?? defaultRepeatEvery;
  if (!Number.isInteger(repeatEvery) || repeatEvery < 0) {
    throw new ValueError(`repeatEvery must be a whole number >= 0, got ${describeValue(repeatEvery)}`);
  }
  const space = resolveSpace(options.space);
  const quantities = resolveQuantities(options.quantities);
  const precision = options.precision ?? "float64";
  if (precision !== "float64" && precision !== "float32") {
    throw new ValueError(`precision must be float64 or float32, got ${describeValue(precision)}`);
  }
  const judging = { quantities, tolerance: options.tolerance ?? verifyTolerance, precision };
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);

  let calls = 0;
  let judged = 0;
  // What the property saw, kept outside it: fast-check keeps only the shrunk case, not the answer or the verdict.
  const seen: {
    first: FuzzVerdict | null;
    failed: Failure | null;
    nondeterminism: Nondeterminism | null;
  } = { first: null, failed: null, nondeterminism: null };
  /**
   * The cases answered since the last repeat, with their answers without the id: the first of
   * them is sent again after `repeatEvery` cases, so that the two answers are far apart in the
   * run, and the list is emptied (a long run keeps no more than `repeatEvery` answers).
   */
  const earlier: { document: CaseDocument; answer: unknown }[] = [];

  let shrinkCalls = 0;
  const ask = async (document: CaseDocument): Promise<Answer> => {
    calls++;
    if (seen.first !== null) shrinkCalls++;
    return respond(document);
  };
  /** Whether shrinking a failure of this reason may ask another case (see {@link shrinkBudgets}). */
  const withinShrinkBudget = (reason: string): boolean => shrinkCalls < (shrinkBudgets[reason] ?? Number.POSITIVE_INFINITY);

  /** Takes units and samples out of fast-check's counterexample for as long as it fails as it did (see the `fuzz-reduce` module). */
  const reduce = async (failure: Failure, first: FuzzVerdict): Promise<Failure> => {
    let current = failure;
    let reductions = 0;
    let smaller = true;
    while (smaller) {
      smaller = false;
      for (const candidate of smallerCases(current.document)) {
        if (!withinShrinkBudget(first.reason)) break;
        const document: CaseDocument = { ...candidate, id: `fuzz-${calls + 1}` };
        const problem = parseCase(document);
        const reference = referenceOf(problem);
        if (reference === null) continue;
        const answer = await ask(document);
        const verdict = judgeAnswer(document, problem, reference, answer, judging);
        if (!verdict.agreed && sameFailure(verdict, first, judging.tolerance)) {
          current = { document, reference, answer, verdict };
          reductions++;
          smaller = true;
          break;
        }
      }
    }
    return { ...current, reductions };
  };

  const property = fc.asyncProperty(spaceCases(space, quantities), async (drawn) => {
    const document: CaseDocument = { ...drawn, id: `fuzz-${calls + 1}` };
    const problem = parseCase(document);
    const reference = referenceOf(problem);
    fc.pre(reference !== null);
    if (seen.first !== null && !withinShrinkBudget(seen.first.reason)) return true;
    const answer = await ask(document);
    const verdict = judgeAnswer(document, problem, reference, answer, judging);
    if (seen.failed === null) {
      judged++;
      options.onProgress?.(judged, runs);
    }
    if (!verdict.agreed) {
      // While shrinking, a smaller case counts as failing only if it fails as the first one did.
      if (seen.first !== null && !sameFailure(verdict, seen.first, judging.tolerance)) return true;
      seen.first ??= verdict;
      seen.failed = { document, reference, answer, verdict };
      return false;
    }
    if (seen.failed === null && repeatEvery > 0 && seen.nondeterminism === null) {
      earlier.push({ document, answer: withoutId(answer) });
      if (judged % repeatEvery === 0) {
        const again = earlier[0]!;
        earlier.length = 0;
        const repeated = { ...again.document, id: `fuzz-${calls + 1}` };
        const second = withoutId(await ask(repeated));
        if (JSON.stringify(second) !== JSON.stringify(again.answer)) {
          seen.nondeterminism = { case: again.document, first: again.answer, second };
        }
      }
    }
    return true;
  });

  const details = await fc.check(property, {
    numRuns: runs,
    seed,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  const failed = seen.failed === null ? null : await reduce(seen.failed, seen.first!);
  const counterexample: FuzzCounterexample | null =
    details.failed && failed !== null
      ? {
          case: failed.document,
          reference: failed.reference,
          theirs: answerValue(failed.answer),
          verdict: failed.verdict,
          shrinks: details.numShrinks + (failed.reductions ?? 0),
          path: details.counterexamplePath ?? "",
        }
      : null;
  if (details.failed && counterexample === null) {
    // The property threw rather than returned false: a defect of the engine, not of the implementation.
    throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
  }
  return {
    passed: counterexample === null && seen.nondeterminism === null,
    seed,
    runs: judged,
    calls,
    space,
    quantities,
    precision,
    counterexample,
    nondeterminism: seen.nondeterminism,
  };
}

/**
 * How many cases shrinking may ask when the first failure was the program's own: each answer to
 * a program that crashes starts it again, and each that hangs waits out the time limit. A
 * program that cannot be started is not shrunk at all. Differences in numbers, and answers that
 * are not results, are shrunk without a limit: they cost one answer each.
 */
export const shrinkBudgets: Readonly<Record<string, number>> = { "not-started": 0, timeout: 5, exited: 20 };

/**
 * How far outside the tolerance a number must be for a shrunk case to keep a difference in
 * numbers: $\lvert g - e \rvert > 1000\,(a + r \lvert e \rvert)$, or 1000 times the number's
 * allowance in float32. Without it, shrinking drives
 * the numbers towards 0 until the difference sits at the edge of the tolerance, where every
 * mistake gives nearly the reference's numbers and cannot be told from another. A first
 * difference that exceeds its tolerance by less than twice this margin keeps half its excess
 * instead.
 */
export const shrinkMargin = 1000;

/**
 * Whether a verdict met while shrinking fails as the first failure did: the same reason for
 * giving no result, or a difference in the same quantity, matching the same known mistake (or
 * none), by more than {@link shrinkMargin} times the tolerance.
 */
function sameFailure(verdict: FuzzVerdict, first: FuzzVerdict, tolerance: Tolerance): boolean {
  if (verdict.reason !== first.reason || verdict.mistake !== first.mistake) return false;
  if (first.difference === null) return verdict.difference === null;
  const { difference } = verdict;
  if (difference === null || quantityOf(difference.quantity) !== quantityOf(first.difference.quantity)) return false;
  if (typeof difference.given !== "number" || typeof difference.expected !== "number") return true;
  const excess = (of: FuzzVerdict): number => {
    const { given, expected } = of.difference!;
    if (typeof given !== "number" || typeof expected !== "number") return Number.POSITIVE_INFINITY;
    return Math.abs(given - expected) / (of.allowed ?? tolerance.absolute + tolerance.relative * Math.abs(expected));
  };
  // A first difference that was itself small (a float32 answer judged in float64) may shrink to half its excess.
  return excess(verdict) > Math.min(shrinkMargin, excess(first) / 2);
}

/** The quantity of a difference without its layer: `gradients` of `gradients.weights[1]`. */
function quantityOf(where: string): string {
  return where.split(/[.[]/)[0]!;
}

/**
 * The reference result of a case, or `null` when its computation overflows float64: such a case
 * is outside what an implementation can be judged on, and is skipped.
 */
function referenceOf(problem: Problem): ResultDocument | null {
  try {
    return caseResult(problem);
  } catch (error) {
    if (error instanceof BackpropRefError) return null;
    throw error;
  }
}

/** The answer's value without its `id`, for comparing two answers to the same case. */
function withoutId(answer: Answer): unknown {
  if (answer.kind === "failure") return { failure: answer.reason };
  const value = answer.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const { id: _id, ...rest } = value as Record<string, unknown>;
  return rest;
}

/** The answer as the implementation gave it, or `null` for a failure. */
function answerValue(answer: Answer): unknown {
  return answer.kind === "answer" ? answer.value : null;
}

/** A JavaScript implementation: maps a case document to a result document, at once or as a promise. */
export type Implementation = (document: CaseDocument) => unknown;

/**
 * Fuzzes a JavaScript or TypeScript implementation in this process. Whatever it returns is
 * judged as a child program's answer would be (through a JSON round trip, so that `NaN`, an
 * `undefined` field or a typed array is seen as JSON would carry it); an exception it throws is
 * a failure to answer.
 *
 * @param implementation - maps a case to a result
 * @param options - runs, seed, space, quantities, tolerance
 */
export function fuzzImplementation(implementation: Implementation, options: FuzzOptions = {}): Promise<FuzzReport> {
  return fuzz(async (document) => {
    try {
      const value: unknown = await implementation(structuredClone(document));
      return { kind: "answer", value: JSON.parse(JSON.stringify(value ?? null)) as unknown };
    } catch (error) {
      return {
        kind: "failure",
        reason: "threw",
        message: `threw ${error instanceof Error ? `${error.name}: ${error.message}` : describeValue(error)}`,
      };
    }
  }, options);
}
