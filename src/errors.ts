import { Code, ConnectError } from "@connectrpc/connect";

/** What a failed call or a rejected argument is about. */
export interface OmniErrorOptions {
  /** The gRPC method the error belongs to, as `/<package>.<Service>/<Method>`. */
  method?: string;
  cause?: unknown;
}

const brand = Symbol.for("sidero-omni-client.OmniError");

/**
 * The base of every error this SDK throws. `code` is the gRPC status code (Connect's `Code`),
 * `method` the RPC it happened on, `rawMessage` the server's or the SDK's message without the
 * method prefix. `instanceof` works across duplicate copies of the package, because every class
 * checks a global brand and its own `name` instead of its prototype chain.
 */
export class OmniError extends Error {
  readonly code: Code;
  readonly method: string | undefined;
  readonly rawMessage: string;
  override name = "OmniError";

  constructor(code: Code, message: string, options: OmniErrorOptions = {}) {
    super(
      options.method
        ? `[${Code[code]}] ${options.method}: ${message}`
        : `[${Code[code]}] ${message}`,
      {
        cause: options.cause,
      },
    );
    this.code = code;
    this.method = options.method;
    this.rawMessage = message;
    Object.setPrototypeOf(this, new.target.prototype);
    Object.defineProperty(this, brand, { value: true });
  }

  // `this` is the class on the right of `instanceof`, which is what makes subclasses work here.
  // biome-ignore-start lint/complexity/noThisInStatic: see above
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== "object" || value === null || !(brand in value)) {
      return false;
    }
    if (this === OmniError) {
      return true;
    }
    // A subclass matches its own instances and those of its subclasses, even from another copy.
    let proto: unknown = Object.getPrototypeOf(value);
    while (proto !== null && typeof proto === "object") {
      const ctor = (proto as { constructor?: { name?: string } }).constructor;
      if (ctor?.name === this.name) {
        return true;
      }
      proto = Object.getPrototypeOf(proto);
    }
    return false;
  }
  // biome-ignore-end lint/complexity/noThisInStatic: see above

  /** Plain data for logs and `JSON.stringify`; never carries request headers or bodies. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: Code[this.code],
      method: this.method,
      message: this.rawMessage,
    };
  }
}

export class UnauthenticatedError extends OmniError {
  override name = "UnauthenticatedError";
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.Unauthenticated, message, options);
  }
}

export class PermissionDeniedError extends OmniError {
  override name = "PermissionDeniedError";
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.PermissionDenied, message, options);
  }
}

export class NotFoundError extends OmniError {
  override name = "NotFoundError";
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.NotFound, message, options);
  }
}

export class AlreadyExistsError extends OmniError {
  override name = "AlreadyExistsError";
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.AlreadyExists, message, options);
  }
}

export class InvalidArgumentError extends OmniError {
  override name = "InvalidArgumentError";
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.InvalidArgument, message, options);
  }
}

export class FailedPreconditionError extends OmniError {
  override name = "FailedPreconditionError";
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.FailedPrecondition, message, options);
  }
}

export class ResourceExhaustedError extends OmniError {
  override name = "ResourceExhaustedError";
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.ResourceExhausted, message, options);
  }
}

export class UnavailableError extends OmniError {
  override name = "UnavailableError";
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.Unavailable, message, options);
  }
}

export class DeadlineExceededError extends OmniError {
  override name = "DeadlineExceededError";
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.DeadlineExceeded, message, options);
  }
}

export class CanceledError extends OmniError {
  override name = "CanceledError";
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.Canceled, message, options);
  }
}

/**
 * The server does not have the RPC. `availableIn` says which Omni versions have it, so the
 * message tells a user whether to upgrade Omni or to stop calling an RPC that was removed.
 */
export class UnimplementedError extends OmniError {
  override name = "UnimplementedError";
  readonly availableIn: string | undefined;
  constructor(message: string, options?: OmniErrorOptions & { availableIn?: string }) {
    super(
      Code.Unimplemented,
      options?.availableIn ? `${message} (available in Omni ${options.availableIn})` : message,
      options,
    );
    this.availableIn = options?.availableIn;
  }
}

/**
 * An argument was rejected by the SDK before anything was sent. `argument` names it, as the user
 * spelled it (`cluster`, `options.ttlSeconds`, `serviceAccountKey`).
 */
export class ValidationError extends InvalidArgumentError {
  override name = "ValidationError";
  readonly argument: string;
  constructor(argument: string, message: string, options?: OmniErrorOptions) {
    super(`${argument}: ${message}`, options);
    this.argument = argument;
  }
}

/** Why a key could not be used; never contains the key material itself. */
export type KeyErrorReason =
  | "not-base64"
  | "not-json"
  | "missing-name"
  | "missing-pgp-key"
  | "not-a-private-key"
  | "passphrase-required"
  | "wrong-passphrase"
  | "expired"
  | "unreadable-key"
  | "invalid-identity"
  | "unsupported-key";

/** A service-account key, PGP key or ECDSA key the SDK cannot sign with. */
export class KeyError extends ValidationError {
  override name = "KeyError";
  readonly reason: KeyErrorReason;
  constructor(
    argument: string,
    reason: KeyErrorReason,
    message: string,
    options?: OmniErrorOptions,
  ) {
    super(argument, message, options);
    this.reason = reason;
  }
}

export type WriteKind = "create" | "update" | "delete";

/** A write was attempted on a client created with `readOnly: true`; nothing was sent. */
export class ReadOnlyModeError extends OmniError {
  override name = "ReadOnlyModeError";
  readonly kind: WriteKind;
  constructor(method: string, kind: WriteKind) {
    super(Code.PermissionDenied, `read-only mode forbids this ${kind} call`, { method });
    this.kind = kind;
  }
}

const byCode: Partial<
  Record<Code, new (message: string, options?: OmniErrorOptions) => OmniError>
> = {
  [Code.Unauthenticated]: UnauthenticatedError,
  [Code.PermissionDenied]: PermissionDeniedError,
  [Code.NotFound]: NotFoundError,
  [Code.AlreadyExists]: AlreadyExistsError,
  [Code.InvalidArgument]: InvalidArgumentError,
  [Code.FailedPrecondition]: FailedPreconditionError,
  [Code.ResourceExhausted]: ResourceExhaustedError,
  [Code.Unavailable]: UnavailableError,
  [Code.DeadlineExceeded]: DeadlineExceededError,
  [Code.Canceled]: CanceledError,
};

/**
 * Turns anything a Connect call threw into an `OmniError` of the right subclass. An `OmniError`
 * passes through unchanged. `availableIn` is used for `UNIMPLEMENTED`.
 */
export function toOmniError(
  error: unknown,
  method?: string,
  availableIn?: (method: string) => string | undefined,
): OmniError {
  if (error instanceof OmniError) {
    return error;
  }
  // Connect wraps whatever an interceptor throws (a KeyError from a signer, a ReadOnlyModeError);
  // hand the SDK's own error back unchanged.
  if (error instanceof ConnectError && error.cause instanceof OmniError) {
    return error.cause;
  }
  const connectError = ConnectError.from(error);
  const options = { method, cause: error };
  if (connectError.code === Code.Unimplemented) {
    return new UnimplementedError(connectError.rawMessage, {
      ...options,
      availableIn: method ? availableIn?.(method) : undefined,
    });
  }
  const ErrorClass = byCode[connectError.code];
  return ErrorClass
    ? new ErrorClass(connectError.rawMessage, options)
    : new OmniError(connectError.code, connectError.rawMessage, options);
}
