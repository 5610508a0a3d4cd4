import type { GetSupportBundleResponse } from "../gen/omni/management/management_pb.js";

/** How far collection from one source has got. */
export interface SupportBundleProgress {
  readonly type: "progress";
  readonly source: string;
  readonly state: string;
  /** Empty unless collecting from this source failed. */
  readonly error: string;
  /** Steps done, counted from Omni's progress messages for this source. */
  readonly value: number;
  readonly total: number;
  /** `value / total` as a whole percentage, 0 when the total is not known yet. */
  readonly percent: number;
}

/** A piece of the bundle (a zip, or an age-encrypted zip), in the order the server sent it. */
export interface SupportBundleChunk {
  readonly type: "data";
  readonly bytes: Uint8Array;
}

/** Who can decrypt an encrypted bundle; sent once, before collection starts. */
export interface SupportBundleRecipients {
  readonly type: "recipients";
  readonly recipients: readonly string[];
}

export type SupportBundleEvent =
  | SupportBundleProgress
  | SupportBundleChunk
  | SupportBundleRecipients;

function percentOf(value: number, total: number): number {
  if (total <= 0) {
    return 0;
  }
  return Math.min(100, Math.max(0, Math.round((value / total) * 100)));
}

/**
 * Turns responses into events; one response can carry several parts. Omni sends one progress
 * message per step of a source, with the source's total but no value, so the steps are counted
 * here (as omnictl counts them); a value Omni does send is taken as it is.
 */
export function supportBundleEvents(): (
  response: GetSupportBundleResponse,
) => SupportBundleEvent[] {
  const stepsBySource = new Map<string, number>();
  return (response) => {
    const events: SupportBundleEvent[] = [];
    if (response.encryptionRecipients.length > 0) {
      events.push({ type: "recipients", recipients: [...response.encryptionRecipients] });
    }
    const progress = response.progress;
    if (progress) {
      // Like omnictl, a message without a total (an error report) is not a step.
      const steps = (stepsBySource.get(progress.source) ?? 0) + (progress.total > 0 ? 1 : 0);
      stepsBySource.set(progress.source, steps);
      const value = progress.value > 0 ? progress.value : Math.min(steps, progress.total);
      events.push({
        type: "progress",
        source: progress.source,
        state: progress.state,
        error: progress.error,
        value,
        total: progress.total,
        percent: percentOf(value, progress.total),
      });
    }
    if (response.bundleData.length > 0) {
      events.push({ type: "data", bytes: response.bundleData });
    }
    return events;
  };
}
