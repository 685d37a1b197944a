/**
 * The rounds kit every bench uses: interleaved rounds, the spread of a claim, and its verdict.
 *
 * Why interleaved: on a shared machine the load changes while a bench runs. Running every
 * contender once per round, in an order rotated per round, puts each contender under the same
 * weather, and a per-round ratio (`ratios`) cancels most of what the weather does to both.
 *
 * The interval a claim shows (`interval`, quoted by `verdict` and `claimLine` as "spread lo–hi")
 * is the distribution-free confidence interval of the median from order statistics: with n rounds
 * it runs from the k-th smallest to the k-th largest sample, k the largest rank for which
 * P(Binomial(n, ½) < k) ≤ 2.5 %, so it covers the true median at least 95 % of the time whatever
 * the distribution. Chosen over min–max because min–max widens with every round (its ends are the
 * two most extreme rounds, so more rounds make a claim *less* decidable, and one neighbour's
 * burst flips a verdict), while this interval narrows as rounds are added and still widens
 * honestly when the rounds really disagree: it never hides more than the outermost ~2.5 % per
 * side.
 * With 5 rounds or fewer no rank reaches 95 %, so the interval is min–max (n = 5: 93.75 %);
 * `spread` still reports min and max so a bench can print the raw range beside it.
 */
import { availableParallelism, loadavg } from "node:os";

export interface Spread {
  min: number;
  median: number;
  max: number;
  n: number;
}

/** Samples sorted ascending; an empty or non-finite sample set is a bench bug, not noise. */
function sorted(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new RangeError("no samples: measure at least one round");
  const bad = samples.find((s) => !Number.isFinite(s));
  if (bad !== undefined) {
    throw new RangeError(`a sample is ${bad}: every round must measure a finite number`);
  }
  return [...samples].sort((a, b) => a - b);
}

function medianOf(ascending: readonly number[]): number {
  const mid = ascending.length >> 1;
  return ascending.length % 2 === 1 ? ascending[mid] : (ascending[mid - 1] + ascending[mid]) / 2;
}

export function spread(samples: readonly number[]): Spread {
  const s = sorted(samples);
  return { min: s[0], median: medianOf(s), max: s[s.length - 1], n: s.length };
}

export interface Interval {
  lo: number;
  hi: number;
  /** Probability that [lo, hi] covers the true median (exact, from the binomial distribution). */
  confidence: number;
}

/** 1-based rank k of the order-statistic interval and its coverage, for n samples (see header). */
export function medianRank(n: number): { k: number; confidence: number } {
  // P(X < k) for X ~ Binomial(n, ½), summed in log space so large n neither under- nor overflows.
  const below = (k: number): number => {
    let logC = 0;
    let total = 0;
    for (let i = 0; i < k; i++) {
      if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
      total += Math.exp(logC - n * Math.LN2);
    }
    return total;
  };
  let k = 1;
  while (k + 1 <= (n + 1) / 2 && below(k + 1) <= 0.025) k++;
  return { k, confidence: 1 - 2 * below(k) };
}

/** The interval a claim is judged by: a ≥ 95 % confidence interval of the median (see header). */
export function interval(samples: readonly number[]): Interval {
  const s = sorted(samples);
  const { k, confidence } = medianRank(s.length);
  return { lo: s[k - 1], hi: s[s.length - k], confidence };
}

/** `warmup` untimed rounds, then `rounds` timed rounds; each round runs every contender once, in an
 *  order rotated per round. A contender resolves to its measured value (ms or any number).
 *  `onRound` is called after each timed round with its 1-based number (for progress). */
export async function interleaved<K extends string>(
  contenders: Record<K, () => Promise<number>>,
  options: { rounds: number; warmup?: number; onRound?: (round: number) => void },
): Promise<Record<K, number[]>> {
  const { rounds, warmup = 0, onRound } = options;
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new RangeError(`rounds must be a whole number ≥ 1, got ${rounds}`);
  }
  if (!Number.isInteger(warmup) || warmup < 0) {
    throw new RangeError(`warmup must be a whole number ≥ 0, got ${warmup}`);
  }
  const keys = Object.keys(contenders) as K[];
  if (keys.length === 0) throw new RangeError("no contenders to measure");
  const results = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < warmup + rounds; round++) {
    const timed = round >= warmup;
    for (const key of rotated(keys, round)) {
      const value = await contenders[key]();
      if (timed) results[key].push(value);
    }
    if (timed) onRound?.(round - warmup + 1);
  }
  return results;
}

/** The order contenders run in in round `round` (0-based, warm-ups included): rotated by one. */
export function rotated<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** Per-round ratios a[i] / b[i] of two contenders measured in the same rounds. */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) {
    throw new RangeError(
      `ratios of ${a.length} and ${b.length} samples: measure both in the same rounds`,
    );
  }
  return a.map((x, i) => x / b[i]);
}

export interface Target {
  op: "<=" | ">=";
  value: number;
}
export type Verdict = "met" | "missed" | "inconclusive";

/** met / missed when the whole interval shown lies on one side of the target, else inconclusive. */
export function verdict(samples: readonly number[], target: Target): Verdict {
  const { lo, hi } = interval(samples);
  if (target.op === "<=") {
    return hi <= target.value ? "met" : lo > target.value ? "missed" : "inconclusive";
  }
  return lo >= target.value ? "met" : hi < target.value ? "missed" : "inconclusive";
}

/** `claim: <label>: <median> (target <op> <value>) spread <lo>–<hi> over <n> rounds: <verdict>` */
export function claimLine(
  label: string,
  samples: readonly number[],
  target: Target,
  format: (v: number) => string,
): string {
  const { median, n } = spread(samples);
  const { lo, hi } = interval(samples);
  const aim = `(target ${target.op} ${format(target.value)})`;
  const shown = `spread ${format(lo)}–${format(hi)} over ${n} rounds`;
  return `claim: ${label}: ${format(median)} ${aim} ${shown}: ${verdict(samples, target)}`;
}

/** `<label>: <median> (min <min>, max <max>, n <n>)`: a contender's raw values, beside claims. */
export function spreadLine(
  label: string,
  samples: readonly number[],
  format: (v: number) => string,
): string {
  const { min, median, max, n } = spread(samples);
  return `${label}: ${format(median)} (min ${format(min)}, max ${format(max)}, n ${n})`;
}

/** "load 0.42 0.30 0.25 (1/5/15 min) on 2 cores", printed at a bench's start. */
export function machineLoad(): string {
  const [one, five, fifteen] = loadavg().map((l) => l.toFixed(2));
  return `load ${one} ${five} ${fifteen} (1/5/15 min) on ${availableParallelism()} cores`;
}
