import { closestName } from "./closest-name.js";
import { ValidationError } from "./errors.js";
import { isFieldObject } from "./validation.js";

/**
 * Every key of an options type, optional ones included, each set to `true`. Written as an object
 * literal, a list that misses a key of `T` or names one `T` does not have fails to compile, so
 * the keys checked at run time always match the type. For a union, whose `keyof` holds only the
 * keys every member shares, list each member on its own.
 */
export type OptionKeyList<T> = { readonly [K in keyof Required<T>]: true };

/**
 * The keys of the options type `T`, for `checkOptionKeys`: `optionKeys<T>()({ a: true, b: true })`.
 * `T` is given on its own so that the list is checked against it rather than inferred from it.
 */
export function optionKeys<T>(): (list: OptionKeyList<T>) => ReadonlySet<string> {
  return (list) => new Set(Object.keys(list));
}

/**
 * Requires `options` to be an object of fields (not a Map, a Date or an array) whose keys are all
 * in `known`. A misspelt key would otherwise be ignored without a word: `readonly: true` would
 * leave a client writable. A key set to `undefined` is refused too, since a typo is a typo
 * whatever its value.
 *
 * `argument` is the path of the object as the function's other errors name it (`options`,
 * `options.retry`, `callOptions`); empty where they name its keys bare (`baseUrl`, `tls.ca`).
 */
export function checkOptionKeys(
  argument: string,
  options: unknown,
  known: ReadonlySet<string>,
): asserts options is object {
  // A Map or a Date has no keys of its own to check, and its contents would be read as none.
  if (!isFieldObject(options)) {
    throw new ValidationError(argument === "" ? "options" : argument, "must be an options object");
  }
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new ValidationError(
        argument === "" ? key : `${argument}.${key}`,
        unknownKey(key, known),
      );
    }
  }
}

function unknownKey(key: string, known: ReadonlySet<string>): string {
  const names = [...known];
  const closest = closestName(key, names);
  if (closest !== undefined) {
    return `is not a known option; did you mean ${closest}?`;
  }
  return names.length === 0
    ? "is not a known option; this call takes none"
    : `is not a known option; the options are ${names.join(", ")}`;
}
