import type { RealOmniFacts } from "../../scripts/real-omni/facts.js";

/** What the global setup started, handed to the test workers through one environment variable. */
export interface RealOmniE2eEnvironment {
  /** nginx's origin: the dashboard at `/`, Omni's gateway at `/api/`. */
  readonly appOrigin: string;
  readonly omni: RealOmniFacts;
}

export const realOmniEnvironmentVariable = "OMNI_REAL_E2E_ENVIRONMENT";

export function realOmniE2eEnvironment(): RealOmniE2eEnvironment {
  const raw = process.env[realOmniEnvironmentVariable];
  if (!raw) {
    throw new Error(
      `${realOmniEnvironmentVariable} is not set: run the tests with "npm run test:e2e:real-omni"`,
    );
  }
  return JSON.parse(raw) as RealOmniE2eEnvironment;
}
