/**
 * Major and minor of a version as semver's `ParseTolerant` (github.com/blang/semver/v4) reads it,
 * which Omni reads the Talos and Kubernetes versions it is given with: spaces around and a leading
 * `v` are dropped and a missing minor or patch counts as 0 (`1.34`, `v1.34.1`, `1.11.0-beta.0`),
 * but a short version cannot carry a pre-release or build part (`1.34-beta` is refused).
 * Undefined when the version does not parse.
 */
export function tolerantMajorMinor(text: string): [major: number, minor: number] | undefined {
  const parts = text.trim().replace(/^v/, "").split(".");
  const [major, minor = "0", ...rest] = parts;
  const patch = rest.length === 0 ? "0" : rest.join(".");
  if (parts.length < 3 && /[+-]/.test(parts.at(-1) ?? "")) {
    return undefined;
  }
  const strict = /^\d+$/;
  const patchAndMeta = /^\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
  if (!strict.test(major ?? "") || !strict.test(minor) || !patchAndMeta.test(patch)) {
    return undefined;
  }
  return [Number(major), Number(minor)];
}
