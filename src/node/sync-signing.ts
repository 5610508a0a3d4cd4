import { createHash, KeyObject, sign } from "node:crypto";
import { installSyncEcdsaSigner, type SyncEcdsaSign } from "../auth/ecdsa.js";
import { installSyncEd25519 } from "../auth/pgp-ed25519.js";

/**
 * Has ECDSA keys sign with `node:crypto` synchronously instead of through WebCrypto's thread
 * pool. `KeyObject.from` reads a non-extractable CryptoKey too, inside Node, without exposing it.
 */
function nodeSyncSign(privateKey: CryptoKey): SyncEcdsaSign | undefined {
  const key = KeyObject.from(privateKey);
  return (payload) => new Uint8Array(sign("sha256", payload, { key, dsaEncoding: "ieee-p1363" }));
}

/** The same for the Ed25519 keys of OpenPGP service accounts: digest and signature in-thread. */
const nodeEd25519 = {
  sha512: (data: Uint8Array) => new Uint8Array(createHash("sha512").update(data).digest()),
  signer(privateKey: CryptoKey) {
    const key = KeyObject.from(privateKey);
    return (digest: Uint8Array) => new Uint8Array(sign(null, digest, key));
  },
};

/** Called by the Node entry's factories; installing twice is harmless. */
export function useNodeSigning(): void {
  installSyncEcdsaSigner(nodeSyncSign);
  installSyncEd25519(nodeEd25519);
}
