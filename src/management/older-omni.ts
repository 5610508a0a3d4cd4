import { Code } from "@connectrpc/connect";
import { OmniError } from "../errors.js";

/**
 * Whether `error` is the HTTP/JSON gateway of an Omni older than one of the request fields
 * `jsonNames` refusing that field. Such an Omni reads binary protobuf (native gRPC, gRPC-Web)
 * leniently and drops the field without a word, but its gateway parses JSON strictly and answers
 * `InvalidArgument` with `unknown field "<jsonName>"` (Omni v1.9.3, for example, on `follow` of
 * ReadAuditLog and `encrypt` of GetSupportBundle).
 */
export function isUnknownFieldError(error: unknown, jsonNames: readonly string[]): boolean {
  if (!(error instanceof OmniError) || error.code !== Code.InvalidArgument) {
    return false;
  }
  return jsonNames.some((name) => error.rawMessage.includes(`unknown field "${name}"`));
}

// The signatures a zip file starts with: a local file header, or the end of the central
// directory of an empty archive. An age-encrypted file starts with text ("age-encryption.org/").
const zipSignatures = [
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
] as const;

/** Whether `bytes` start like a plain (unencrypted) zip archive. */
export function startsLikeZip(bytes: Uint8Array): boolean {
  return zipSignatures.some((signature) => signature.every((byte, index) => bytes[index] === byte));
}
