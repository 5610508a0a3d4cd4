import { ValidationError } from "../errors.js";
import { isFieldObject } from "../validation.js";

/** Service-account settings read from the environment, as omnictl and Omni's Go client read them. */
export interface ServiceAccountEnvironment {
  /** `OMNI_ENDPOINT`. */
  endpoint: string;
  /** The base64 service-account key. */
  serviceAccountKey: string;
  /** Which variable the key came from, for error messages. */
  keyVariable: "SIDERO_SERVICE_ACCOUNT_KEY" | "OMNI_SERVICE_ACCOUNT_KEY";
}

/**
 * Variables are read in this order, like Go's `serviceaccount.GetFromEnv`; the first non-empty
 * one wins (Go takes an empty but set variable and then fails to decode it).
 */
const keyVariables = ["SIDERO_SERVICE_ACCOUNT_KEY", "OMNI_SERVICE_ACCOUNT_KEY"] as const;

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Checks variables given in place of `process.env`: an object of strings (or `undefined`s). A
 * `null` would otherwise mean `process.env`, and a number would fail where it is read.
 */
export function checkEnvironment(argument: string, env: unknown): Environment | undefined {
  if (env === undefined) {
    return undefined;
  }
  if (!isFieldObject(env)) {
    throw new ValidationError(argument, "must be an object of variables, like process.env");
  }
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && typeof value !== "string") {
      // Only the name: a variable's value may be a key.
      throw new ValidationError(`${argument}.${name}`, "must be a string (or undefined)");
    }
  }
  return env as Environment;
}

/**
 * Reads `OMNI_ENDPOINT` and the service-account key (`SIDERO_SERVICE_ACCOUNT_KEY`, else
 * `OMNI_SERVICE_ACCOUNT_KEY`). An empty variable counts as unset. Nothing read here is logged or
 * put into an error message.
 */
export function readServiceAccountEnvironment(env: Environment): ServiceAccountEnvironment {
  if (checkEnvironment("env", env) === undefined) {
    throw new ValidationError("env", "must be an object of variables, like process.env");
  }
  const endpoint = env.OMNI_ENDPOINT?.trim();
  if (!endpoint) {
    throw new ValidationError(
      "OMNI_ENDPOINT",
      "is not set; set it to the Omni URL, such as https://omni.example.com",
    );
  }
  for (const keyVariable of keyVariables) {
    const serviceAccountKey = env[keyVariable]?.trim();
    if (serviceAccountKey) {
      return { endpoint, serviceAccountKey, keyVariable };
    }
  }
  throw new ValidationError(
    "OMNI_SERVICE_ACCOUNT_KEY",
    "is not set (nor SIDERO_SERVICE_ACCOUNT_KEY); set it to the key printed by `omnictl serviceaccount create`",
  );
}
