import type { TestProject } from "vitest/node";
import {
  initialServiceAccountName,
  type RealOmni,
  realOmniAdminUser,
  startRealOmni,
} from "../../scripts/real-omni/real-omni.js";

/** What every test file gets of the running Omni (plain data: it crosses process boundaries). */
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

declare module "vitest" {
  export interface ProvidedContext {
    realOmni: RealOmniFacts;
  }
}

/** An Omni already running (as `npm run omni:real` prints it), or none. */
function fromEnvironment(): RealOmniFacts | undefined {
  const {
    OMNI_VERSION,
    OMNI_ENDPOINT,
    OMNI_GRPC_WEB_URL,
    OMNI_SERVICE_ACCOUNT_KEY,
    OMNI_IDENTITY_PROVIDER,
    OMNI_IDENTITY_PROVIDER_CA,
  } = process.env;
  if (!OMNI_ENDPOINT || !OMNI_SERVICE_ACCOUNT_KEY || !OMNI_GRPC_WEB_URL) {
    return undefined;
  }
  if (!OMNI_IDENTITY_PROVIDER || !OMNI_IDENTITY_PROVIDER_CA || !OMNI_VERSION) {
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

let started: RealOmni | undefined;

export async function setup(project: TestProject): Promise<void> {
  const running = fromEnvironment();
  if (running) {
    project.provide("realOmni", running);
    return;
  }
  started = await startRealOmni({
    onStep: (step) => process.stderr.write(`real Omni: ${step}\n`),
  });
  project.provide("realOmni", {
    version: started.version,
    endpoint: started.endpoint,
    grpcWebUrl: started.grpcWebUrl,
    serviceAccountKey: started.serviceAccountKey,
    serviceAccountName: started.serviceAccountName,
    adminUser: started.adminUser,
    issuerUrl: started.identityProvider.issuerUrl,
    caFile: started.identityProvider.caFile,
  });
}

export async function teardown(): Promise<void> {
  await started?.stop();
}
