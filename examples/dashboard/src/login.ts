import { type ConnectionSettings, type TransportKind, transportFor } from "./connection.js";
import type { StoredBrowserKey } from "./key-store.js";
import {
  createOmniClient,
  DEFAULT_PLAIN_KEY_LIFETIME_MS,
  ecdsaAuth,
  generateEcdsaKey,
  type OmniClient,
  serviceAccountAuth,
} from "./sdk.js";

/** A logged-in client and who it acts as. */
export interface Session {
  readonly client: OmniClient;
  readonly identity: string;
  readonly transport: TransportKind;
  /** Set for browser keys: it is stored for reloads, and signing out revokes it. */
  readonly browserKey?: StoredBrowserKey;
  /** Revokes the browser key in Omni (signed with the key itself), even from a read-only session. */
  readonly revokeBrowserKey?: (timeoutMs: number) => Promise<void>;
}

/**
 * Logs in with a base64 service-account key. The key is parsed and checked before the session
 * starts (loading openpgp.js, on first use only), so a malformed or expired key is reported as a
 * `KeyError` here rather than as a failing stream later. The key stays in memory, never stored.
 */
export async function loginWithServiceAccount(
  settings: ConnectionSettings,
  key: string,
): Promise<Session> {
  const auth = serviceAccountAuth(key.trim());
  await auth.signer();
  const client = createOmniClient({
    transport: transportFor(settings),
    auth,
    readOnly: settings.readOnly,
  });
  return { client, identity: auth.identity, transport: settings.transport };
}

/** A session that signs with a confirmed browser key: fresh from login, or restored on reload. */
export function browserKeySession(key: StoredBrowserKey): Session {
  const transport = transportFor(key.connection);
  const auth = ecdsaAuth({
    identity: key.identity,
    privateKey: key.keyPair.privateKey,
    publicKeyId: key.publicKeyId,
  });
  // Revoking the key on sign-out is the one write a read-only session makes, on purpose; a
  // client of its own keeps the session's client read-only for everything else.
  const signOutClient = createOmniClient({ transport, auth });
  return {
    client: createOmniClient({ transport, auth, readOnly: key.connection.readOnly }),
    identity: key.identity,
    transport: key.connection.transport,
    browserKey: key,
    revokeBrowserKey: (timeoutMs) =>
      signOutClient.auth.revokePublicKey(key.publicKeyId, { timeoutMs }),
  };
}

/**
 * Omni's browser login: make a non-extractable P-256 key, register it for Omni's usual
 * 7 h 50 min, let the user approve it on the grant-access page (`onLoginUrl`), then sign with it.
 */
export async function loginWithBrowserKey(
  settings: ConnectionSettings,
  identity: string,
  onLoginUrl: (url: string) => void,
  signal: AbortSignal,
): Promise<Session> {
  // Registration and confirmation are unsigned; the client that does them needs no key.
  const unsigned = createOmniClient({ transport: transportFor(settings) });
  const keyPair = await generateEcdsaKey();
  // The window is set here rather than left to the SDK so that the stored expiry is Omni's.
  const notBefore = new Date();
  const notAfter = new Date(notBefore.getTime() + DEFAULT_PLAIN_KEY_LIFETIME_MS);
  const registered = await unsigned.auth.registerPublicKey(
    { identity, ecdsaKey: keyPair, notBefore, notAfter },
    { signal },
  );
  onLoginUrl(registered.loginUrl);
  await unsigned.auth.awaitPublicKeyConfirmation(registered.publicKeyId, { signal });
  return browserKeySession({
    keyPair: { privateKey: keyPair.privateKey, publicKey: keyPair.publicKey },
    publicKeyId: registered.publicKeyId,
    identity,
    expiresAt: notAfter.getTime(),
    connection: settings,
  });
}
