import { defaultOmniRelease, isOmniRelease, omniReleases } from "./interop-tools.js";
import {
  initialServiceAccountName,
  type RealOmni,
  realOmniAdminUser,
  type StartRealOmniOptions,
  startRealOmni,
} from "./real-omni.js";

/** What a test needs of a running real Omni, as plain data that crosses process boundaries. */
export interface RealOmniFacts {
  version: string;
  endpoint: string;
  grpcWebUrl: string;
  serviceAccountKey: string;
  serviceAccountName: string;
  adminUser: string;
  issuerUrl: string;
  caFile: string;
}

/** An Omni already running, as `npm run omni:real` prints it into the environment, or none. */
export function realOmniFromEnvironment(): RealOmniFacts | undefined {
  const {
    OMNI_VERSION,
    OMNI_ENDPOINT,
    OMNI_GRPC_WEB_URL,
    OMNI_SERVICE_ACCOUNT_KEY,
    OMNI_IDENTITY_PROVIDER,
    OMNI_IDENTITY_PROVIDER_CA,
  } = process.env;
  if (!OMNI_ENDPOINT) {
    return undefined;
  }
  if (
    !OMNI_SERVICE_ACCOUNT_KEY ||
    !OMNI_GRPC_WEB_URL ||
    !OMNI_IDENTITY_PROVIDER ||
    !OMNI_IDENTITY_PROVIDER_CA ||
    !OMNI_VERSION
  ) {
    throw new Error(
      "OMNI_ENDPOINT is set, but not every variable `npm run omni:real` prints: set them all",
    );
  }
  return {
    version: OMNI_VERSION,
    endpoint: OMNI_ENDPOINT,
    grpcWebUrl: OMNI_GRPC_WEB_URL,
    serviceAccountKey: OMNI_SERVICE_ACCOUNT_KEY,
    serviceAccountName: initialServiceAccountName,
    adminUser: realOmniAdminUser,
    issuerUrl: OMNI_IDENTITY_PROVIDER,
    caFile: OMNI_IDENTITY_PROVIDER_CA,
  };
}

/**
 * The running Omni named by the environment, or a new one; `stop` ends only what this call
 * started.
 */
export async function useRealOmni(
  options: StartRealOmniOptions = {},
): Promise<{ facts: RealOmniFacts; stop(): Promise<void> }> {
  const running = realOmniFromEnvironment();
  if (running) {
    return { facts: running, stop: async () => {} };
  }
  const release = process.env.OMNI_RELEASE ?? defaultOmniRelease;
  if (!isOmniRelease(release)) {
    throw new Error(`OMNI_RELEASE must be one of ${omniReleases.join(", ")}, got "${release}"`);
  }
  const started: RealOmni = await startRealOmni({ release, ...options });
  return {
    facts: {
      version: started.version,
      endpoint: started.endpoint,
      grpcWebUrl: started.grpcWebUrl,
      serviceAccountKey: started.serviceAccountKey,
      serviceAccountName: started.serviceAccountName,
      adminUser: started.adminUser,
      issuerUrl: started.identityProvider.issuerUrl,
      caFile: started.identityProvider.caFile,
    },
    stop: () => started.stop(),
  };
}
