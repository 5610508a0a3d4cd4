import { KeyObject, sign } from "node:crypto";
import { installSyncEcdsaSigner, type SyncEcdsaSign } from "../auth/ecdsa.js";

/**
 * Has ECDSA keys sign with `node:crypto` synchronously instead of through WebCrypto's thread
 * pool. `KeyObject.from` reads a non-extractable CryptoKey too, inside Node, without exposing it.
 */
function nodeSyncSign(privateKey: CryptoKey): SyncEcdsaSign | undefined {
  const key = KeyObject.from(privateKey);
  return (payload) => new Uint8Array(sign("sha256", payload, { key, dsaEncoding: "ieee-p1363" }));
}

/** Called by the Node entry's factories; installing twice is harmless. */
export function useNodeEcdsaSigning(): void {
  installSyncEcdsaSigner(nodeSyncSign);
}
