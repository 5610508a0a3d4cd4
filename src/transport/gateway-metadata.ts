/**
 * grpc-gateway carries gRPC metadata in HTTP headers with fixed prefixes: request metadata as
 * `Grpc-Metadata-<key>` (its default header matcher strips the prefix and lowercases the key),
 * response headers as `Grpc-Metadata-<key>` and response trailers as `Grpc-Trailer-<key>`.
 */
const metadataPrefix = "grpc-metadata-";
const trailerPrefix = "grpc-trailer-";

/** The HTTP headers of a gateway request: JSON in and out, plus every metadata entry. */
export function gatewayRequestHeaders(metadata: Headers, timeoutMs: number | undefined): Headers {
  const headers = new Headers({ "Content-Type": "application/json", Accept: "application/json" });
  metadata.forEach((value, key) => {
    headers.set(`${metadataPrefix}${key}`, value);
  });
  if (timeoutMs !== undefined) {
    // grpc-gateway turns `Grpc-Timeout` into the server-side deadline, so Omni stops working on
    // a call the client has already given up on.
    headers.set("Grpc-Timeout", encodeGrpcTimeout(timeoutMs));
  }
  return headers;
}

// The gRPC timeout header allows at most eight digits before the unit.
const maxTimeoutDigits = 99_999_999;

function encodeGrpcTimeout(timeoutMs: number): string {
  const milliseconds = Math.max(1, Math.ceil(timeoutMs));
  if (milliseconds <= maxTimeoutDigits) {
    return `${milliseconds}m`;
  }
  const seconds = Math.ceil(milliseconds / 1000);
  return seconds <= maxTimeoutDigits ? `${seconds}S` : `${Math.ceil(seconds / 3600)}H`;
}

/** Splits gateway response headers back into gRPC response metadata and trailers. */
export function gatewayResponseMetadata(headers: Headers): { header: Headers; trailer: Headers } {
  const header = new Headers();
  const trailer = new Headers();
  headers.forEach((value, key) => {
    // `Headers` yields lowercase names.
    if (key.startsWith(metadataPrefix)) {
      header.append(key.slice(metadataPrefix.length), value);
    } else if (key.startsWith(trailerPrefix)) {
      trailer.append(key.slice(trailerPrefix.length), value);
    }
  });
  return { header, trailer };
}
