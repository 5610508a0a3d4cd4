import { performance } from "node:perf_hooks";

/** The spread of one measure over a benchmark's repetitions. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** Ours against the baseline, measured in the same process run. */
export interface Comparison {
  readonly name: string;
  /** What one sample is, e.g. "ms per call" or "MB/s". */
  readonly unit: string;
  readonly ours: Spread;
  readonly baseline: Spread;
  /** median(ours) ÷ median(baseline). */
  readonly ratio: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) {
    return Number.NaN;
  }
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function spread(values: readonly number[]): Spread {
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

export function compare(
  name: string,
  unit: string,
  ours: readonly number[],
  baseline: readonly number[],
): Comparison {
  const oursSpread = spread(ours);
  const baselineSpread = spread(baseline);
  return {
    name,
    unit,
    ours: oursSpread,
    baseline: baselineSpread,
    ratio: oursSpread.median / baselineSpread.median,
  };
}

/** Milliseconds taken by `run`. */
export async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/**
 * Runs every case once per repetition, rotating which goes first, so load drift and position
 * weigh on every case alike. Returns each case's samples, one per repetition.
 */
export async function interleave<K extends string>(
  repetitions: number,
  cases: Readonly<Record<K, () => Promise<number>>>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(cases) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    K,
    number[]
  >;
  for (let repetition = 0; repetition < repetitions; repetition++) {
    const shift = repetition % names.length;
    for (const name of [...names.slice(shift), ...names.slice(0, shift)]) {
      samples[name].push(await cases[name]());
    }
  }
  return samples;
}

/**
 * Latency in ms of single calls, the cases taking turns call by call (in a rotating order), so
 * that a load spike from elsewhere on the machine hits every case alike. Each repetition yields
 * one sample per case: the median of its `calls` latencies, which keeps stray pauses out.
 */
export async function alternatingLatencies<K extends string>(
  repetitions: number,
  calls: number,
  cases: Readonly<Record<K, () => Promise<unknown>>>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(cases) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    K,
    number[]
  >;
  for (let repetition = 0; repetition < repetitions; repetition++) {
    const latencies = new Map<K, number[]>(names.map((name) => [name, []]));
    for (let index = 0; index < calls; index++) {
      const shift = index % names.length;
      for (const name of [...names.slice(shift), ...names.slice(0, shift)]) {
        const start = performance.now();
        await cases[name]();
        latencies.get(name)?.push(performance.now() - start);
      }
    }
    for (const name of names) {
      samples[name].push(median(latencies.get(name) ?? []));
    }
  }
  return samples;
}

const format = (value: number) =>
  Math.abs(value) >= 100
    ? value.toFixed(0)
    : Math.abs(value) >= 10
      ? value.toFixed(1)
      : value.toFixed(3);

function formatSpread({ min, median: mid, max }: Spread): string {
  return `${format(min)} / ${format(mid)} / ${format(max)}`;
}

/** One line per comparison: min / median / max of ours and of the baseline, and the ratio. */
export function printComparison(comparison: Comparison, target?: string): void {
  console.log(
    `  ${comparison.name.padEnd(34)} ${comparison.unit.padEnd(12)} ours ${formatSpread(comparison.ours).padEnd(26)} raw ${formatSpread(comparison.baseline).padEnd(26)} ratio ${comparison.ratio.toFixed(3)}${target ? `  (target ${target})` : ""}`,
  );
}
