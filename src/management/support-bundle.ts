import type { GetSupportBundleResponse } from "../gen/omni/management/management_pb.js";

/** How far collection from one source has got. */
export interface SupportBundleProgress {
  readonly type: "progress";
  readonly source: string;
  readonly state: string;
  /** Empty unless collecting from this source failed. */
  readonly error: string;
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

/** One response can carry several parts; each becomes its own event. */
export function* toSupportBundleEvents(
  response: GetSupportBundleResponse,
): Generator<SupportBundleEvent> {
  if (response.encryptionRecipients.length > 0) {
    yield { type: "recipients", recipients: [...response.encryptionRecipients] };
  }
  const progress = response.progress;
  if (progress) {
    yield {
      type: "progress",
      source: progress.source,
      state: progress.state,
      error: progress.error,
      value: progress.value,
      total: progress.total,
      percent: percentOf(progress.value, progress.total),
    };
  }
  if (response.bundleData.length > 0) {
    yield { type: "data", bytes: response.bundleData };
  }
}
