import { readFile } from "node:fs/promises";
import { request } from "node:https";

/** Where the identity-provider stand-in answers, and the certificate it serves (self-signed). */
export interface IdentityProvider {
  issuerUrl: string;
  caFile: string;
}

/**
 * An ID token for `email`, as Omni's web UI holds after a user logs in with Auth0. Omni verifies
 * it against the stand-in's keys when it is sent as `authorization: Bearer` to ConfirmPublicKey.
 */
export async function mintIdToken(
  provider: IdentityProvider,
  email: string,
  options: { emailVerified?: boolean } = {},
): Promise<string> {
  const ca = await readFile(provider.caFile, "utf8");
  const body = JSON.stringify({ email, emailVerified: options.emailVerified ?? true });
  return new Promise((done, fail) => {
    const call = request(
      `${provider.issuerUrl}token`,
      { method: "POST", ca, headers: { "content-type": "application/json" } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          if (response.statusCode !== 200) {
            fail(new Error(`identity provider: HTTP ${response.statusCode}: ${text}`));
            return;
          }
          done((JSON.parse(text) as { idToken: string }).idToken);
        });
      },
    );
    call.on("error", fail);
    call.end(body);
  });
}
