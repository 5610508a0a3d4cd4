import { Code, ConnectError } from "@connectrpc/connect";

/**
 * An option of `startOmniEmulator` (or an argument of an emulator method such as `setFaults` or
 * `writeOmnictlHome`) that the emulator refuses. It is the emulator's own error, a ConnectError
 * with the code InvalidArgument; `argument` names the option as the caller spelled it
 * (`host`, `timings.upgradeStepMs`, `faults.errors[0].code`). It keeps ConnectError's name, so
 * that `instanceof ConnectError` (which goes by name across copies of Connect) holds too.
 */
export class EmulatorOptionError extends ConnectError {
  readonly argument: string;

  // ConnectError's own check accepts only its exact prototype or its name; this one goes by class.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(EmulatorOptionError, value);
  }

  constructor(argument: string, message: string, options: { cause?: unknown } = {}) {
    super(`${argument}: ${message}`, Code.InvalidArgument, undefined, undefined, options.cause);
    this.argument = argument;
  }
}

/**
 * Requires `options` to be a plain object whose every key is in `known`, so that a misspelt
 * option is refused rather than ignored. `path` prefixes the key in the error (`faults.latency`);
 * empty for the top-level options, whose keys are named bare.
 */
export function checkKeys(
  path: string,
  options: unknown,
  known: ReadonlySet<string>,
): asserts options is object {
  if (!isPlainObject(options)) {
    throw new EmulatorOptionError(path || "options", "must be an options object");
  }
  const stray = Object.keys(options).find((key) => !known.has(key));
  if (stray !== undefined) {
    const meant = likelyMeant(stray, [...known]);
    const hint = meant ? `did you mean ${meant}?` : `the options are ${[...known].join(", ")}`;
    throw new EmulatorOptionError(
      path ? `${path}.${stray}` : stray,
      `is not a known option; ${hint}`,
    );
  }
}

/** Every key of an options type, each set to `true`; a missing or extra key fails to compile. */
export type KeyList<T> = { readonly [K in keyof Required<T>]: true };

/** The keys of `T` for `checkKeys`, given as `keysOf<T>()({ a: true, b: true })`. */
export function keysOf<T>(): (list: KeyList<T>) => ReadonlySet<string> {
  return (list) => new Set(Object.keys(list));
}

/** A Map, a Date or an array has no keys of its own to check, and is refused as options. */
function isPlainObject(value: unknown): value is object {
  return typeof value === "object" && Object.prototype.toString.call(value) === "[object Object]";
}

/** The known key a typo most likely meant: the nearest by Levenshtein distance, if near enough. */
function likelyMeant(key: string, known: readonly string[]): string | undefined {
  const typed = key.toLowerCase();
  const ranked = known
    .map((name) => ({ name, distance: levenshtein(typed, name.toLowerCase()) }))
    .filter(({ distance }) => distance <= Math.max(2, Math.floor(typed.length / 4)))
    .sort((a, b) => a.distance - b.distance);
  return ranked[0]?.name;
}

function levenshtein(from: string, to: string): number {
  const row = [...Array(to.length + 1).keys()];
  for (const [i, fromChar] of [...from].entries()) {
    let diagonal = row[0] ?? 0;
    row[0] = i + 1;
    for (const [j, toChar] of [...to].entries()) {
      const above = row[j + 1] ?? 0;
      row[j + 1] = Math.min(above + 1, (row[j] ?? 0) + 1, diagonal + (fromChar === toChar ? 0 : 1));
      diagonal = above;
    }
  }
  return row[to.length] ?? 0;
}
