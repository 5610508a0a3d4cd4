/**
 * Signs siderov1 payloads for one identity. Implementations keep their key material private:
 * nothing here is enumerable, and `toJSON` of an auth object never shows a key.
 */
export interface PayloadSigner {
  /** The identity put in the `x-sidero-signature` header (email or service-account name). */
  readonly identity: string;
  /** Lowercase hex fingerprint for PGP keys; padded base64url of SHA-256 of the point for ECDSA. */
  readonly keyId: string;
  /** Signs the exact payload bytes and returns the raw signature bytes. */
  sign(payload: Uint8Array): Promise<Uint8Array>;
}

/** How a client authenticates: one of `serviceAccountAuth`, `pgpAuth` or `ecdsaAuth`. */
export interface OmniAuth {
  readonly kind: "service-account" | "pgp" | "ecdsa";
  readonly identity: string;
  /** Resolves once the key is parsed and checked; rejects with a `KeyError` for a bad key. */
  signer(): Promise<PayloadSigner>;
}
