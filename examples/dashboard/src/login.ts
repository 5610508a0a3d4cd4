import {
  createGatewayTransport,
  createGrpcWebTransport,
  createOmniClient,
  ecdsaAuth,
  generateEcdsaKey,
  type OmniClient,
  serviceAccountAuth,
} from "./sdk.js";

export type TransportKind = "grpc-web" | "gateway";

export interface ConnectionSettings {
  readonly transport: TransportKind;
  readonly endpoint: string;
  readonly readOnly: boolean;
}

/** A logged-in client and who it acts as. */
export interface Session {
  readonly client: OmniClient;
  readonly identity: string;
  readonly transport: TransportKind;
  /** Set for browser keys: logging out revokes the key, as Omni's web UI does. */
  readonly publicKeyId?: string;
}

function transportFor(settings: ConnectionSettings) {
  return settings.transport === "gateway"
    ? createGatewayTransport({ baseUrl: settings.endpoint })
    : createGrpcWebTransport({ baseUrl: settings.endpoint });
}

/** Logs in with a base64 service-account key; openpgp.js is loaded only now, on first use. */
export function loginWithServiceAccount(settings: ConnectionSettings, key: string): Session {
  const auth = serviceAccountAuth(key.trim());
  const client = createOmniClient({
    transport: transportFor(settings),
    auth,
    readOnly: settings.readOnly,
  });
  return { client, identity: auth.identity, transport: settings.transport };
}

/**
 * Omni's browser login: make a non-extractable P-256 key, register it, let the user approve it on
 * the grant-access page (`onLoginUrl`), then sign with it. The key lives only in this page.
 */
export async function loginWithBrowserKey(
  settings: ConnectionSettings,
  identity: string,
  onLoginUrl: (url: string) => void,
  signal: AbortSignal,
): Promise<Session> {
  const transport = transportFor(settings);
  // Registration and confirmation are unsigned; the client that does them needs no key.
  const unsigned = createOmniClient({ transport });
  const key = await generateEcdsaKey();
  const registered = await unsigned.auth.registerPublicKey({ identity, ecdsaKey: key }, { signal });
  onLoginUrl(registered.loginUrl);
  await unsigned.auth.awaitPublicKeyConfirmation(registered.publicKeyId, { signal });
  const client = createOmniClient({
    transport,
    auth: ecdsaAuth({ identity, privateKey: key.privateKey, publicKeyId: registered.publicKeyId }),
    readOnly: settings.readOnly,
  });
  return {
    client,
    identity,
    transport: settings.transport,
    publicKeyId: registered.publicKeyId,
  };
}
