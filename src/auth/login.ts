import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ConnectError, type Transport } from "@connectrpc/connect";
import { CanceledError, KeyError, OmniError, toOmniError, ValidationError } from "../errors.js";
import { AuthService, type PublicKey, PublicKeySchema } from "../gen/omni/auth/auth_pb.js";
import { requireRole } from "../management/role.js";
import { checkOptionKeys, optionKeys } from "../option-keys.js";
import { callUnary } from "../transport/direct-calls.js";
import {
  MAX_RESOURCE_ID_BYTES,
  optionalBoolean,
  optionalSignal,
  optionalTimeoutMs,
  utf8Length,
} from "../validation.js";
import { checkEcdsaKey, ecdsaPublicKeyPem } from "./ecdsa.js";
import { utf8Encoder } from "./encoding.js";
import { plainKeyWindow } from "./lifetime.js";

// Omni waits up to five minutes for the user to confirm a key; the client's default deadline,
// meant for ordinary calls, must not end the wait sooner. A little longer, so Omni answers first.
const awaitConfirmationTimeoutMs = 5 * 60_000 + 15_000;

/** Options shared by every login-flow call. */
export interface AuthCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

interface RegisterCommonOptions {
  /** The user's email, as known to Omni. */
  identity: string;
  /**
   * Ask for this role (one of `omniRoles`) instead of the user's. Required with `skipUserRole`
   * and refused without it: Omni then gives the key the user's role, whatever it asks for.
   */
  role?: string;
  skipUserRole?: boolean;
}

/** Registers an armored OpenPGP public key; Omni requires it to expire within 8 hours. */
export interface RegisterPgpKeyOptions extends RegisterCommonOptions {
  pgpPublicKey: string;
}

/** Registers a P-256 key, for example the pair from `generateEcdsaKey()`. */
export interface RegisterEcdsaKeyOptions extends RegisterCommonOptions {
  ecdsaKey: { readonly publicKey: CryptoKey };
  /** Defaults to now. At most 5 minutes ahead. */
  notBefore?: Date;
  /** Defaults to `notBefore` + 7 h 50 min. At most 8 hours after `notBefore`. */
  notAfter?: Date;
}

export type RegisterPublicKeyOptions = RegisterPgpKeyOptions | RegisterEcdsaKeyOptions;

export interface RegisteredPublicKey {
  /** Where the user approves the key in a logged-in Omni web UI. */
  loginUrl: string;
  /** The id to sign with once the key is confirmed. */
  publicKeyId: string;
}

/** Proof of a logged-in user for `ConfirmPublicKey`: an OIDC/Auth0 ID token or a SAML session. */
export interface ConfirmPublicKeyOptions extends AuthCallOptions {
  idToken?: string;
  samlSession?: string;
}

export interface OmniAuthApi {
  registerPublicKey(
    options: RegisterPublicKeyOptions,
    callOptions?: AuthCallOptions,
  ): Promise<RegisteredPublicKey>;
  /** Resolves once the key is confirmed. Omni itself stops waiting after 5 minutes. */
  awaitPublicKeyConfirmation(publicKeyId: string, options?: AuthCallOptions): Promise<void>;
  confirmPublicKey(publicKeyId: string, options: ConfirmPublicKeyOptions): Promise<void>;
  /** Needs a signed call: use a transport that signs with the key (or another of the user's). */
  revokePublicKey(publicKeyId: string, callOptions?: AuthCallOptions): Promise<void>;
}

export const authCallOptionKeys = /*@__PURE__*/ optionKeys<AuthCallOptions>()({
  signal: true,
  timeoutMs: true,
});

export const confirmPublicKeyOptionKeys = /*@__PURE__*/ optionKeys<ConfirmPublicKeyOptions>()({
  idToken: true,
  samlSession: true,
  signal: true,
  timeoutMs: true,
});

export const registerPgpKeyOptionKeys = /*@__PURE__*/ optionKeys<RegisterPgpKeyOptions>()({
  identity: true,
  role: true,
  skipUserRole: true,
  pgpPublicKey: true,
});

// `ecdsaKey` takes any object with a `publicKey`, such as the whole pair from `generateEcdsaKey`,
// so only the keys of the options themselves are checked, not those of `ecdsaKey`.
export const registerEcdsaKeyOptionKeys = /*@__PURE__*/ optionKeys<RegisterEcdsaKeyOptions>()({
  identity: true,
  role: true,
  skipUserRole: true,
  ecdsaKey: true,
  notBefore: true,
  notAfter: true,
});

/**
 * The keys of the registration the options are for: the one whose key they carry, or, with
 * neither key, both, so that a misspelt `pgpPublicKey` or `ecdsaKey` is named as such.
 */
function registerPublicKeyOptionKeys(options: object): ReadonlySet<string> {
  if ("pgpPublicKey" in options) {
    return registerPgpKeyOptionKeys;
  }
  if ("ecdsaKey" in options) {
    return registerEcdsaKeyOptionKeys;
  }
  return new Set([...registerPgpKeyOptionKeys, ...registerEcdsaKeyOptionKeys]);
}

function methodPath(name: string): string {
  return `/${AuthService.typeName}/${name}`;
}

function checkEmail(identity: unknown): string {
  if (typeof identity !== "string" || !/^[^\s@]+@[^\s@]+$/.test(identity)) {
    throw new ValidationError("identity", "must be the user's email address, without spaces");
  }
  // The email is the ID of the user's identity resource.
  if (utf8Length(identity) > MAX_RESOURCE_ID_BYTES) {
    throw new ValidationError(
      "identity",
      `must be at most ${MAX_RESOURCE_ID_BYTES} bytes, the longest identity Omni accepts`,
    );
  }
  return identity;
}

/**
 * The role a key asks for. Omni reads `role` only with `skipUserRole` (the key takes the user's
 * role otherwise, whatever it asks for), and then needs one of its roles.
 */
function keyRole(role: unknown, skipUserRole: boolean): string {
  if (!skipUserRole) {
    if (role !== undefined) {
      throw new ValidationError(
        "role",
        "is read only with skipUserRole: true; without it the key gets the user's role",
      );
    }
    return "";
  }
  if (role === undefined) {
    throw new ValidationError("role", "is required with skipUserRole: true");
  }
  return requireRole("role", role);
}

function checkKeyId(publicKeyId: unknown): string {
  if (typeof publicKeyId !== "string" || !/^[A-Za-z0-9_=+/-]+$/.test(publicKeyId)) {
    throw new ValidationError("publicKeyId", "must be a non-empty key id without spaces");
  }
  return publicKeyId;
}

/** Checks the call options before the call goes out; `argument` is how the caller named them. */
function checkCallOptions(options: AuthCallOptions, argument: string, method: string): void {
  checkOptionKeys(argument, options, authCallOptionKeys);
  optionalTimeoutMs(`${argument}.timeoutMs`, options.timeoutMs);
  optionalSignal(`${argument}.signal`, options.signal);
  if (options.signal?.aborted) {
    throw new CanceledError("the call was aborted before it was sent", { method });
  }
}

/** Errors thrown inside interceptors reach callers wrapped by Connect; give back the original. */
function asOmniError(error: unknown, method: string): OmniError {
  if (error instanceof ConnectError && error.cause instanceof OmniError) {
    return error.cause;
  }
  return toOmniError(error, method);
}

/**
 * Omni removes one "Bearer " from the authorization header, exactly as spelled, before it checks
 * the token; a token copied with its prefix would arrive as "Bearer Bearer …" and fail.
 */
function withoutBearerPrefix(idToken: string): string {
  return idToken.replace(/^bearer\s+/i, "").trim();
}

/**
 * Only the armor is checked here: parsing the key would pull openpgp.js into every bundle that
 * uses the login flow, ECDSA-only dashboards included. Omni itself rejects a key whose lifetime
 * is missing or longer than 8 hours, or whose user ID holds no email, with a plain error (gRPC
 * Unknown, e.g. "key lifetime is too long: 24h0m0s", on v1.9.3). Sending a private key is what
 * must never happen, and the armor header is enough to prevent that.
 */
function pgpPublicKeyData(armored: unknown): Uint8Array {
  const argument = "pgpPublicKey";
  if (typeof armored !== "string") {
    throw new KeyError(argument, "unreadable-key", "must be an armored OpenPGP public key");
  }
  if (armored.includes("PRIVATE KEY BLOCK")) {
    throw new KeyError(
      argument,
      "not-a-public-key",
      "is a private key; register only the public key (privateKey.toPublic().armor())",
    );
  }
  const text = armored.trim();
  if (
    !text.startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----") ||
    !text.endsWith("-----END PGP PUBLIC KEY BLOCK-----")
  ) {
    throw new KeyError(argument, "unreadable-key", "must be one armored OpenPGP public key block");
  }
  return utf8Encoder.encode(armored);
}

async function publicKeyMessage(options: RegisterPublicKeyOptions): Promise<PublicKey> {
  if ("pgpPublicKey" in options) {
    return create(PublicKeySchema, { pgpData: pgpPublicKeyData(options.pgpPublicKey) });
  }
  if ("ecdsaKey" in options) {
    const publicKey = checkEcdsaKey(options.ecdsaKey?.publicKey, "ecdsaKey.publicKey", "public");
    const { notBefore, notAfter } = plainKeyWindow(options.notBefore, options.notAfter, Date.now());
    return create(PublicKeySchema, {
      plainKey: {
        keyPem: await ecdsaPublicKeyPem(publicKey),
        notBefore: timestampFromDate(notBefore),
        notAfter: timestampFromDate(notAfter),
      },
    });
  }
  throw new ValidationError("options", "must have either pgpPublicKey or ecdsaKey");
}

/**
 * The AuthService login flow. It does not sign by itself: give it a transport that signs (as
 * `client.transport` does) so that `revokePublicKey` is accepted. Registering, confirming and
 * awaiting a key use `transport`; revoking, a write a read-only client must refuse and not only
 * a step of logging in, uses `revokeTransport`, so a client can route it through its read-only
 * guard.
 */
export function createAuthApi(
  transport: Transport,
  revokeTransport: Transport = transport,
): OmniAuthApi {
  return {
    async registerPublicKey(options, callOptions = {}) {
      const method = methodPath("RegisterPublicKey");
      if (typeof options !== "object" || options === null) {
        throw new ValidationError("options", "must be an options object");
      }
      // The other errors name the options bare (`identity`, `role`), so unknown keys are too.
      checkOptionKeys("", options, registerPublicKeyOptionKeys(options));
      const email = checkEmail(options.identity);
      // "false" would otherwise be sent as true, and null as false.
      const skipUserRole = optionalBoolean("skipUserRole", options.skipUserRole) ?? false;
      const role = keyRole(options.role, skipUserRole);
      const publicKey = await publicKeyMessage(options);
      checkCallOptions(callOptions, "callOptions", method);
      try {
        const response = await callUnary(
          transport,
          AuthService.method.registerPublicKey,
          {
            publicKey,
            identity: { email },
            role,
            skipUserRole,
          },
          callOptions,
        );
        return { loginUrl: response.loginUrl, publicKeyId: response.publicKeyId };
      } catch (error) {
        throw asOmniError(error, method);
      }
    },

    async awaitPublicKeyConfirmation(publicKeyId, options = {}) {
      const method = methodPath("AwaitPublicKeyConfirmation");
      const id = checkKeyId(publicKeyId);
      checkCallOptions(options, "options", method);
      try {
        await callUnary(
          transport,
          AuthService.method.awaitPublicKeyConfirmation,
          { publicKeyId: id },
          { ...options, timeoutMs: options.timeoutMs ?? awaitConfirmationTimeoutMs },
        );
      } catch (error) {
        throw asOmniError(error, method);
      }
    },

    async confirmPublicKey(publicKeyId, options) {
      const method = methodPath("ConfirmPublicKey");
      const id = checkKeyId(publicKeyId);
      const input: ConfirmPublicKeyOptions = options ?? {};
      checkOptionKeys("options", input, confirmPublicKeyOptionKeys);
      const { idToken, samlSession, ...callOptions } = input;
      // Each must be text when given: a token of another type would be passed over for the other.
      for (const [name, value] of [
        ["idToken", idToken],
        ["samlSession", samlSession],
      ] as const) {
        if (value !== undefined && typeof value !== "string") {
          throw new ValidationError(name, "must be a string");
        }
      }
      const hasToken = typeof idToken === "string" && idToken.length > 0;
      const hasSession = typeof samlSession === "string" && samlSession.length > 0;
      if (hasToken === hasSession) {
        throw new ValidationError(
          "options",
          "give exactly one of idToken (OIDC/Auth0) or samlSession (SAML)",
        );
      }
      const token = hasToken ? withoutBearerPrefix(idToken as string) : "";
      if (hasToken && token === "") {
        throw new ValidationError("idToken", 'is only the word "Bearer"; pass the ID token itself');
      }
      const headers = new Headers();
      try {
        if (hasToken) {
          headers.set("authorization", `Bearer ${token}`);
        } else {
          headers.set("saml-session", samlSession as string);
        }
      } catch {
        // Headers rejects characters a header cannot carry; the value itself is a secret.
        throw new ValidationError(
          hasToken ? "idToken" : "samlSession",
          "contains characters a header cannot carry",
        );
      }
      checkCallOptions(callOptions, "options", method);
      try {
        await callUnary(
          transport,
          AuthService.method.confirmPublicKey,
          { publicKeyId: id },
          { ...callOptions, headers },
        );
      } catch (error) {
        throw asOmniError(error, method);
      }
    },

    async revokePublicKey(publicKeyId, callOptions = {}) {
      const method = methodPath("RevokePublicKey");
      const id = checkKeyId(publicKeyId);
      checkCallOptions(callOptions, "callOptions", method);
      try {
        await callUnary(
          revokeTransport,
          AuthService.method.revokePublicKey,
          { publicKeyId: id },
          callOptions,
        );
      } catch (error) {
        throw asOmniError(error, method);
      }
    },
  };
}
