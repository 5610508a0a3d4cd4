import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import type {
  ListServiceAccountsResponse_ServiceAccount,
  ListServiceAccountsResponse_ServiceAccount_PgpPublicKey,
} from "../gen/omni/management/management_pb.js";

/** One public key registered for a service account. */
export interface ServiceAccountPublicKey {
  /** The key's fingerprint, as Omni uses it in signatures. */
  readonly id: string;
  readonly armored: string;
  readonly expiration: Date | undefined;
  readonly created: Date | undefined;
  readonly lastUsed: Date | undefined;
}

export interface ServiceAccount {
  readonly name: string;
  readonly role: string;
  /** As Omni reports it (a human-readable time, or empty when never used). */
  readonly lastActive: string;
  readonly publicKeys: readonly ServiceAccountPublicKey[];
  /** The latest expiry among the account's keys; `undefined` when it has none. */
  readonly expiresAt: Date | undefined;
}

/** What `createServiceAccount` and `renewServiceAccount` return. */
export interface ServiceAccountKeyRegistration {
  /** The ID of the public key Omni registered. */
  readonly publicKeyId: string;
}

// Go's zero time.Time (0001-01-01), which Omni sends for "never" (a key never used).
const goZeroTimeSeconds = -62_135_596_800n;

function toDate(timestamp: Timestamp | undefined): Date | undefined {
  return timestamp && timestamp.seconds > goZeroTimeSeconds ? timestampDate(timestamp) : undefined;
}

function toPublicKey(
  key: ListServiceAccountsResponse_ServiceAccount_PgpPublicKey,
): ServiceAccountPublicKey {
  return {
    id: key.id,
    armored: key.armored,
    expiration: toDate(key.expiration),
    created: toDate(key.created),
    lastUsed: toDate(key.lastUsed),
  };
}

export function toServiceAccount(
  account: ListServiceAccountsResponse_ServiceAccount,
): ServiceAccount {
  const publicKeys = account.pgpPublicKeys.map(toPublicKey);
  let expiresAt: Date | undefined;
  for (const key of publicKeys) {
    if (key.expiration && (!expiresAt || key.expiration > expiresAt)) {
      expiresAt = key.expiration;
    }
  }
  return {
    name: account.name,
    role: account.role,
    lastActive: account.lastActive,
    publicKeys,
    expiresAt,
  };
}
