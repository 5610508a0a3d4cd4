// What gRPC metadata may hold: keys of these characters, and text values of printable ASCII
// unless the key ends in `-bin`. grpc-gateway silently drops anything else.
const metadataKey = /^[a-z0-9._-]+$/;
const metadataText = /^[\x20-\x7e]*$/;

export function isGrpcMetadataKey(key: string): boolean {
  return metadataKey.test(key);
}

/** Whether `value` may travel under `key`, whose own validity is checked apart. */
export function isGrpcMetadataValue(key: string, value: string): boolean {
  return key.endsWith("-bin") || metadataText.test(value);
}
