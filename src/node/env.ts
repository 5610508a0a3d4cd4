import { ValidationError } from "../errors.js";

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
 * Reads `OMNI_ENDPOINT` and the service-account key (`SIDERO_SERVICE_ACCOUNT_KEY`, else
 * `OMNI_SERVICE_ACCOUNT_KEY`). An empty variable counts as unset. Nothing read here is logged or
 * put into an error message.
 */
export function readServiceAccountEnvironment(env: Environment): ServiceAccountEnvironment {
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
