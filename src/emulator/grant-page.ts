import type { IncomingMessage, ServerResponse } from "node:http";
import { Code, ConnectError } from "@connectrpc/connect";
import { confirmPublicKey } from "./auth-service.js";
import type { EmulatorState } from "./state.js";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.setHeader("Cache-Control", "no-store");
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body style="font-family:sans-serif;max-width:40rem;margin:4rem auto"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  );
}

async function formField(req: IncomingMessage, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) {
      break;
    }
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8")).get(name) ?? "";
}

/**
 * The page a key's `login_url` opens. Omni shows "Grant Access" to the signed-in user; the
 * emulator has no identity provider, so whoever opens the page acts as the key's owner.
 */
export async function handleGrantPage(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (req.method === "POST") {
    const publicKeyId = await formField(req, "public-key-id");
    const record = state.identities.key(publicKeyId);
    try {
      if (!record) {
        throw new ConnectError("unknown public key", Code.NotFound);
      }
      confirmPublicKey(state, publicKeyId, record.email);
    } catch (error) {
      page(
        res,
        404,
        "Access not granted",
        `<p id="result">${escapeHtml(ConnectError.from(error).rawMessage)}</p>`,
      );
      return;
    }
    page(
      res,
      200,
      "Access granted",
      `<p id="result">The key for ${escapeHtml(record.email)} is confirmed. You can close this page.</p>`,
    );
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.statusCode = 405;
    res.end();
    return;
  }
  const publicKeyId = url.searchParams.get("public-key-id") ?? "";
  const record = state.identities.key(publicKeyId);
  if (!record) {
    page(
      res,
      404,
      "Unknown key",
      "<p>No pending key has this ID. It may have expired or been revoked.</p>",
    );
    return;
  }
  const status = record.confirmed ? "<p>This key is already confirmed.</p>" : "";
  page(
    res,
    200,
    "Grant access",
    `<p>A client asks to act as <strong id="identity">${escapeHtml(record.email)}</strong> with the key <code id="key-id">${escapeHtml(publicKeyId)}</code>.</p>${status}` +
      `<form method="post" action="/authenticate"><input type="hidden" name="public-key-id" value="${escapeHtml(publicKeyId)}">` +
      `<button id="grant" type="submit">Grant Access</button></form>`,
  );
}
