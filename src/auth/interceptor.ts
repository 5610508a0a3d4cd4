import { base64Encode } from "@bufbuild/protobuf/wire";
import type { Interceptor } from "@connectrpc/connect";
import { ValidationError } from "../errors.js";
import { checkOptionKeys, optionKeys } from "../option-keys.js";
import { optionalFunction } from "../validation.js";
import { utf8Encoder } from "./encoding.js";
import { buildSignaturePayload } from "./payload.js";
import type { OmniAuth, PayloadSigner } from "./types.js";

export const TIMESTAMP_HEADER = "x-sidero-timestamp";
export const PAYLOAD_HEADER = "x-sidero-payload";
export const SIGNATURE_HEADER = "x-sidero-signature";

/**
 * The login flow runs before a key is confirmed, so Omni never requires a signature on these.
 * `RevokePublicKey` is deliberately absent: the server only lets a signed caller revoke its keys.
 */
export const UNSIGNED_METHODS: ReadonlySet<string> = new Set([
  "/auth.AuthService/RegisterPublicKey",
  "/auth.AuthService/AwaitPublicKeyConfirmation",
  "/auth.AuthService/ConfirmPublicKey",
]);

export interface SigningInterceptorOptions {
  /** Clock in milliseconds since the epoch; Omni accepts timestamps within ±5 minutes. */
  now?: () => number;
}

export const signingInterceptorOptionKeys = /*@__PURE__*/ optionKeys<SigningInterceptorOptions>()({
  now: true,
});

/** Bounds the per-second reuse table; a second rarely sees more distinct payloads than this. */
const MAX_REUSED_PER_SECOND = 64;

/**
 * Adds the siderov1 signature headers. Every unary call gets the current timestamp and a
 * signature over its own payload; a stream is signed once when it opens, which is all Omni
 * checks. Headers are read as they stand when this interceptor runs, with plain lowercase keys
 * (a gateway transport renames them afterwards).
 *
 * The payload holds only the method, the signed headers and the timestamp in whole seconds, so
 * calls that agree on all three sign the very same bytes. Within one second such calls reuse the
 * signature made for the first of them: it is exactly the signature a fresh signing would give
 * the server to check, and bursts of equal calls (a dashboard fetching many resources) skip the
 * signing cost. The table is emptied when the second changes.
 */
export function createSigningInterceptor(
  auth: OmniAuth,
  options: SigningInterceptorOptions = {},
): Interceptor {
  checkOptionKeys("options", options, signingInterceptorOptionKeys);
  if (typeof auth !== "object" || auth === null || typeof auth.signer !== "function") {
    throw new ValidationError("auth", "must come from serviceAccountAuth, pgpAuth or ecdsaAuth");
  }
  const now =
    optionalFunction<() => number>(
      "options.now",
      options.now,
      "a function returning milliseconds",
    ) ?? Date.now;
  let reuseSecond = "";
  let reuseKey = "";
  const reusable = new Map<string, string>();

  async function signatureHeader(signer: PayloadSigner, timestamp: string, payload: string) {
    const key = `${signer.identity} ${signer.keyId}`;
    if (timestamp !== reuseSecond || key !== reuseKey) {
      reusable.clear();
      reuseSecond = timestamp;
      reuseKey = key;
    }
    const reused = reusable.get(payload);
    if (reused !== undefined) {
      return reused;
    }
    const signature = await signer.sign(utf8Encoder.encode(payload));
    const header = `siderov1 ${signer.identity} ${signer.keyId} ${base64Encode(signature)}`;
    // Another second or another key may have claimed the table while this one was signing.
    if (reusable.size < MAX_REUSED_PER_SECOND && reuseSecond === timestamp && reuseKey === key) {
      reusable.set(payload, header);
    }
    return header;
  }

  return (next) => async (req) => {
    const method = `/${req.service.typeName}/${req.method.name}`;
    if (UNSIGNED_METHODS.has(method)) {
      return next(req);
    }
    // Rejects with the KeyError of a bad key before anything is sent.
    const signer = await auth.signer();
    const timestamp = Math.floor(now() / 1000).toString();
    // A payload or signature header the caller set is replaced below; neither is signed.
    req.header.set(TIMESTAMP_HEADER, timestamp);
    const payload = buildSignaturePayload(method, req.header);
    const signature = await signatureHeader(signer, timestamp, payload);
    req.header.set(PAYLOAD_HEADER, payload);
    req.header.set(SIGNATURE_HEADER, signature);
    return next(req);
  };
}
