/** A step of bringing up the real Omni that failed, named so that the cause is plain in CI's log. */
export class HarnessError extends Error {
  constructor(
    readonly step: string,
    readonly reason: string,
  ) {
    super(`real Omni: ${step} failed: ${reason}`);
    this.name = "HarnessError";
  }
}
