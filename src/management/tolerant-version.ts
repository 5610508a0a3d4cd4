// What semver's tolerant parser takes, which Omni reads the Talos and Kubernetes versions it is
// given with: `1.34`, `v1.34.1`, `1.11.0-beta.0`.
const tolerantVersion = /^v?(\d+)(?:\.(\d+))?(?:\.\d+)?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Major and minor of a version read tolerantly (a missing minor counts as 0), or undefined. */
export function tolerantMajorMinor(text: string): [number, number] | undefined {
  const match = tolerantVersion.exec(text);
  return match ? [Number(match[1]), Number(match[2] ?? 0)] : undefined;
}
