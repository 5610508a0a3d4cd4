/** What the global setup started, handed to the test workers through one environment variable. */
export interface E2eEnvironment {
  /** The origin of the test pages; the emulator's CORS allows it. */
  readonly appOrigin: string;
  /** Serves the same pages from an origin the emulator does not allow. */
  readonly foreignOrigin: string;
  readonly grpcUrl: string;
  readonly grpcWebUrl: string;
  readonly gatewayUrl: string;
  readonly keys: { readonly admin: string; readonly operator: string; readonly reader: string };
}

export const environmentVariable = "OMNI_E2E_ENVIRONMENT";

export function e2eEnvironment(): E2eEnvironment {
  const raw = process.env[environmentVariable];
  if (!raw) {
    throw new Error(`${environmentVariable} is not set: run the tests with "npm run test:e2e"`);
  }
  return JSON.parse(raw) as E2eEnvironment;
}
