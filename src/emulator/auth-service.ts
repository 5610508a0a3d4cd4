import { createHmac, timingSafeEqual } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  type AuthService,
  type RegisterPublicKeyRequest,
  type RegisterPublicKeyResponse,
  RegisterPublicKeyResponseSchema,
} from "../gen/omni/auth/auth_pb.js";
import { signedCaller } from "./caller.js";
import { type ParsedPublicKey, parsePgpPublicKey, parsePlainPublicKey } from "./public-keys.js";
import { parseRole } from "./roles.js";
import { boundedCallSignal, type EmulatorState, invalidArgument } from "./state.js";

/** Omni's limit for keys made by the CLI and the web UI (`pgp.DefaultMaxAllowedLifetime`). */
const userKeyMaxLifetimeMs = 8 * 3600 * 1000;

/**
 * Stands in for the ID tokens of Omni's identity provider: `ConfirmPublicKey` accepts
 * `authorization: Bearer <token>` with a token minted by `issue`.
 */
export class IdTokens {
  readonly #secret: Uint8Array;

  constructor(secret: Uint8Array) {
    this.#secret = secret;
  }

  issue(email: string): string {
    const subject = Buffer.from(email.toLowerCase(), "utf8").toString("base64url");
    return `emulator.${subject}.${this.#mac(subject)}`;
  }

  /** The verified e-mail of a bearer token, or undefined when the token is not one of ours. */
  verify(token: string): string | undefined {
    const [prefix, subject, mac] = token.split(".");
    if (prefix !== "emulator" || !subject || !mac) {
      return undefined;
    }
    const expected = Buffer.from(this.#mac(subject));
    const received = Buffer.from(mac);
    if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
      return undefined;
    }
    return Buffer.from(subject, "base64url").toString("utf8");
  }

  #mac(subject: string): string {
    return createHmac("sha256", this.#secret).update(subject).digest("base64url");
  }

  toJSON(): string {
    return "IdTokens";
  }
}

async function parseRegisteredKey(request: RegisterPublicKeyRequest): Promise<ParsedPublicKey> {
  const publicKey = request.publicKey;
  if (publicKey && publicKey.webauthnData.length > 0) {
    throw new ConnectError("unimplemented", Code.Unimplemented);
  }
  const plain = publicKey?.plainKey;
  if (plain) {
    return parsePlainPublicKey(
      plain.keyPem,
      plain.notBefore ? timestampDate(plain.notBefore) : undefined,
      plain.notAfter ? timestampDate(plain.notAfter) : undefined,
      { maxLifetimeMs: userKeyMaxLifetimeMs },
    );
  }
  if (publicKey && publicKey.pgpData.length > 0) {
    return parsePgpPublicKey(new TextDecoder().decode(publicKey.pgpData), {
      maxLifetimeMs: userKeyMaxLifetimeMs,
    });
  }
  throw invalidArgument("no public key data provided");
}

/** Omni's bare answer when a key exists but is not the caller's to use, or does not exist. */
function permissionDenied(): ConnectError {
  return new ConnectError("permission denied", Code.PermissionDenied);
}

export function loginUrl(state: EmulatorState, publicKeyId: string): string {
  const url = new URL("/authenticate", state.advertisedUrl());
  url.searchParams.set("public-key-id", publicKeyId);
  url.searchParams.set("flow", "cli");
  return url.toString();
}

async function registerPublicKey(
  state: EmulatorState,
  request: RegisterPublicKeyRequest,
): Promise<RegisterPublicKeyResponse> {
  const email = (request.identity?.email ?? "").toLowerCase();
  const key = await parseRegisteredKey(request);
  const user = state.identities.identity(email);
  // An unknown identity, an empty e-mail included, gets the same answer as a known one so that
  // users cannot be enumerated; like Omni, the requested role is only read once the user is found.
  if (user) {
    const role = parseRole(
      request.skipUserRole ? request.role : user.role,
      state.omniVersion,
      "failed to parse role for public key: ",
    );
    if (!state.identities.key(key.id)) {
      state.identities.addKey(key, email, role, false);
    }
  }
  return create(RegisterPublicKeyResponseSchema, {
    loginUrl: loginUrl(state, key.id),
    publicKeyId: key.id,
  });
}

async function awaitPublicKeyConfirmation(
  state: EmulatorState,
  publicKeyId: string,
  context: HandlerContext,
): Promise<void> {
  const bounded = boundedCallSignal(state, context, state.timings.publicKeyConfirmationTimeoutMs);
  try {
    await state.identities.waitForConfirmation(publicKeyId, bounded.signal);
  } catch {
    if (bounded.timedOut()) {
      throw new ConnectError("context deadline exceeded", Code.DeadlineExceeded);
    }
    throw new ConnectError("context canceled", Code.Canceled);
  } finally {
    bounded.dispose();
  }
}

/** Confirms a key for the holder of an ID token, with Omni's ownership rules. */
export function confirmPublicKey(state: EmulatorState, publicKeyId: string, email: string): void {
  if (publicKeyId === "") {
    throw new ConnectError("public key id is required", Code.InvalidArgument);
  }
  if (!state.identities.identity(email)) {
    throw new ConnectError(
      `The identity "${email}" is not authorized for this instance`,
      Code.PermissionDenied,
    );
  }
  const record = state.identities.key(publicKeyId);
  if (!record) {
    throw permissionDenied();
  }
  if (record.email !== email.toLowerCase()) {
    // A plain error in Omni, which gRPC sends as Unknown.
    throw new ConnectError("public key <> id mismatch", Code.Unknown);
  }
  state.identities.confirmKey(publicKeyId);
}

function bearerEmail(tokens: IdTokens, context: HandlerContext): string {
  const header = context.requestHeader.get("authorization") ?? "";
  const match = /^Bearer (.+)$/i.exec(header);
  const email = match?.[1] ? tokens.verify(match[1]) : undefined;
  if (!email) {
    throw new ConnectError("invalid jwt", Code.Unauthenticated);
  }
  return email;
}

export function createAuthService(
  state: EmulatorState,
  tokens: IdTokens,
): ServiceImpl<typeof AuthService> {
  return {
    registerPublicKey: (request) => registerPublicKey(state, request),
    awaitPublicKeyConfirmation: async (request, context) => {
      await awaitPublicKeyConfirmation(state, request.publicKeyId, context);
      return {};
    },
    confirmPublicKey: async (request, context) => {
      confirmPublicKey(state, request.publicKeyId, bearerEmail(tokens, context));
      return {};
    },
    revokePublicKey: async (request, context) => {
      const caller = signedCaller(context);
      const record = state.identities.key(request.publicKeyId);
      if (!record) {
        // Omni passes COSI's not-found on unwrapped: code Unknown.
        throw new ConnectError(
          `failed to get: resource PublicKeys.omni.sidero.dev(default/${request.publicKeyId}@undefined) doesn't exist`,
          Code.Unknown,
        );
      }
      if (record.email !== caller.email) {
        throw permissionDenied();
      }
      state.identities.removeKey(request.publicKeyId);
      return {};
    },
  };
}
