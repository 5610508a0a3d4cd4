export {
  type EcdsaAuthOptions,
  type EcdsaKeyPair,
  ecdsaAuth,
  ecdsaKeyId,
  ecdsaPublicKeyPem,
  generateEcdsaKey,
} from "./ecdsa.js";
export {
  createSigningInterceptor,
  type SigningInterceptorOptions,
} from "./interceptor.js";
export { DEFAULT_PLAIN_KEY_LIFETIME_MS, MAX_PLAIN_KEY_LIFETIME_MS } from "./lifetime.js";
export {
  type AuthCallOptions,
  type ConfirmPublicKeyOptions,
  createAuthApi,
  type OmniAuthApi,
  type RegisterEcdsaKeyOptions,
  type RegisteredPublicKey,
  type RegisterPgpKeyOptions,
  type RegisterPublicKeyOptions,
} from "./login.js";
export { buildSignaturePayload, type HeaderSource, SIGNED_HEADER_KEYS } from "./payload.js";
export { type PgpAuthOptions, pgpAuth } from "./pgp.js";
export { serviceAccountAuth } from "./service-account.js";
export {
  type GeneratedServiceAccountKey,
  generateServiceAccountKey,
  MAX_SERVICE_ACCOUNT_KEY_LIFETIME_SECONDS,
  serviceAccountIdentity,
} from "./service-account-key.js";
export type { OmniAuth, PayloadSigner } from "./types.js";
