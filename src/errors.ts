import { Code, ConnectError } from "@connectrpc/connect";
import { boundMessage } from "./transport/limits.js";

/** What a failed call or a rejected argument is about. */
export interface OmniErrorOptions {
  /** The gRPC method the error belongs to, as `/<package>.<Service>/<Method>`. */
  method?: string;
  cause?: unknown;
}

const brand = Symbol.for("sidero-omni-client.OmniError");
// Where each error class keeps its name. `constructor.name` is no use across copies of the
// package: a bundler that minifies two copies may give two different classes the same one.
const className = Symbol.for("sidero-omni-client.OmniError.className");

function nameClass(errorClass: abstract new (...args: never[]) => OmniError, name: string): void {
  Object.defineProperty(errorClass, className, { value: name });
}

/** The name a class was given itself, not one it inherits from its parent. */
function ownClassName(value: unknown): string | undefined {
  if (typeof value !== "function" || !Object.hasOwn(value, className)) {
    return undefined;
  }
  const name: unknown = Reflect.get(value, className);
  return typeof name === "string" ? name : undefined;
}

/**
 * The base of every error this SDK throws. `code` is the gRPC status code (Connect's `Code`),
 * `method` the RPC it happened on, `rawMessage` the server's or the SDK's message without the
 * method prefix. `instanceof` works across duplicate copies of the package, because every class
 * checks a global brand and the stable names of its classes instead of its prototype chain.
 */
export class OmniError extends Error {
  readonly code: Code;
  readonly method: string | undefined;
  readonly rawMessage: string;
  /** The class name, which stays readable when the code is minified. */
  override name: string;

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
    // The nearest class that was given a name: the error's own, or the SDK class it extends.
    this.name = String(Reflect.get(new.target, className));
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
    const wanted = ownClassName(this);
    if (wanted === undefined) {
      // A user's own subclass lives in one copy only; the ordinary prototype check is right.
      return Function.prototype[Symbol.hasInstance].call(this, value);
    }
    // A subclass matches its own instances and those of its subclasses, even from another copy.
    let proto: unknown = Object.getPrototypeOf(value);
    while (proto !== null && typeof proto === "object") {
      if (ownClassName((proto as { constructor?: unknown }).constructor) === wanted) {
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
nameClass(OmniError, "OmniError");

export class UnauthenticatedError extends OmniError {
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.Unauthenticated, message, options);
  }
}
nameClass(UnauthenticatedError, "UnauthenticatedError");

export class PermissionDeniedError extends OmniError {
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.PermissionDenied, message, options);
  }
}
nameClass(PermissionDeniedError, "PermissionDeniedError");

export class NotFoundError extends OmniError {
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.NotFound, message, options);
  }
}
nameClass(NotFoundError, "NotFoundError");

export class AlreadyExistsError extends OmniError {
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.AlreadyExists, message, options);
  }
}
nameClass(AlreadyExistsError, "AlreadyExistsError");

export class InvalidArgumentError extends OmniError {
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.InvalidArgument, message, options);
  }
}
nameClass(InvalidArgumentError, "InvalidArgumentError");

export class FailedPreconditionError extends OmniError {
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.FailedPrecondition, message, options);
  }
}
nameClass(FailedPreconditionError, "FailedPreconditionError");

export class ResourceExhaustedError extends OmniError {
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.ResourceExhausted, message, options);
  }
}
nameClass(ResourceExhaustedError, "ResourceExhaustedError");

/**
 * The server's answer was broken: cut short in the middle of a message, not gRPC at all (an HTML
 * page with status 200), a stream without its status. It is the server's, a proxy's or the
 * network's fault, not the caller's, and it is not retried by default.
 */
export class InternalError extends OmniError {
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.Internal, message, options);
  }
}
nameClass(InternalError, "InternalError");

export class UnavailableError extends OmniError {
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.Unavailable, message, options);
  }
}
nameClass(UnavailableError, "UnavailableError");

export class DeadlineExceededError extends OmniError {
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.DeadlineExceeded, message, options);
  }
}
nameClass(DeadlineExceededError, "DeadlineExceededError");

export class CanceledError extends OmniError {
  constructor(message: string, options?: OmniErrorOptions) {
    super(Code.Canceled, message, options);
  }
}
nameClass(CanceledError, "CanceledError");

/**
 * The server does not have the RPC. `availableIn` says which Omni versions have it, so the
 * message tells a user whether to upgrade Omni or to stop calling an RPC that was removed.
 */
export class UnimplementedError extends OmniError {
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
nameClass(UnimplementedError, "UnimplementedError");

/**
 * An argument was rejected by the SDK before anything was sent. `argument` names it, as the user
 * spelled it (`cluster`, `options.ttlSeconds`, `serviceAccountKey`).
 */
export class ValidationError extends InvalidArgumentError {
  readonly argument: string;
  constructor(argument: string, message: string, options?: OmniErrorOptions) {
    super(`${argument}: ${message}`, options);
    this.argument = argument;
  }
}
nameClass(ValidationError, "ValidationError");

/** Why a key could not be used; never contains the key material itself. */
export type KeyErrorReason =
  | "not-base64"
  | "not-json"
  | "missing-name"
  | "missing-pgp-key"
  | "not-a-private-key"
  | "not-a-public-key"
  | "passphrase-required"
  | "wrong-passphrase"
  | "expired"
  | "unreadable-key"
  | "invalid-identity"
  | "unsupported-key";

/** A service-account key, PGP key or ECDSA key the SDK cannot sign with. */
export class KeyError extends ValidationError {
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
nameClass(KeyError, "KeyError");

export type WriteKind = "create" | "update" | "delete";

/**
 * A write was attempted on a client created with `readOnly: true`; nothing was sent. It is a
 * `PermissionDeniedError`, so code that handles a role too low for a write handles this too.
 */
export class ReadOnlyModeError extends PermissionDeniedError {
  readonly kind: WriteKind;
  constructor(method: string, kind: WriteKind) {
    super(`read-only mode forbids this ${kind} call`, { method });
    this.kind = kind;
  }
}
nameClass(ReadOnlyModeError, "ReadOnlyModeError");

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
  [Code.Internal]: InternalError,
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
  // The SDK's transports bound what the server said already; a transport of the caller's may not.
  const message = boundMessage(connectError.rawMessage);
  if (connectError.code === Code.Unimplemented) {
    return new UnimplementedError(message, {
      ...options,
      availableIn: method ? availableIn?.(method) : undefined,
    });
  }
  const ErrorClass = byCode[connectError.code];
  return ErrorClass
    ? new ErrorClass(message, options)
    : new OmniError(connectError.code, message, options);
}
