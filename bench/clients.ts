/**
 * Keys and clients shared by the benchmarks: the SDK's client (facade, guard, signing, error
 * mapping) and the raw generated Connect client a user would write without the SDK, each on its
 * own transport of the same kind.
 */
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcTransport as createConnectGrpcTransport } from "@connectrpc/connect-node";
import { createGrpcWebTransport as createConnectGrpcWebTransport } from "@connectrpc/connect-web";
import * as openpgp from "openpgp";
import { ecdsaAuth, generateEcdsaKey, type OmniAuth, pgpAuth } from "../src/auth/index.js";
import { createOmniClient, type OmniClient } from "../src/client.js";
import { ManagementService } from "../src/gen/omni/management/management_pb.js";
import { State } from "../src/gen/v1alpha1/state_pb.js";
import { createGrpcTransport } from "../src/node/grpc-transport.js";
import { createGatewayTransport } from "../src/transport/gateway-transport.js";
import { createGrpcWebTransport } from "../src/transport/grpc-web.js";

/** Where the bench server listens: all the clients need, wherever the server runs. */
export interface BenchEndpoints {
  /** Native gRPC (h2c) base URL. */
  readonly grpcUrl: string;
  /** gRPC-Web and gateway base URL. */
  readonly httpUrl: string;
}

export type TransportKind = "grpc" | "grpcweb" | "gateway";

export interface BenchKeys {
  readonly ecdsa: OmniAuth;
  /** Ed25519, the key type Omni issues to service accounts. */
  readonly pgp: OmniAuth;
}

export async function createKeys(): Promise<BenchKeys> {
  const pair = await generateEcdsaKey();
  const { privateKey } = await openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ email: "bench@example.org" }],
    keyExpirationTime: 3600,
  });
  const keys = {
    ecdsa: ecdsaAuth({
      identity: "bench@example.org",
      privateKey: pair.privateKey,
      publicKeyId: pair.publicKeyId,
    }),
    pgp: pgpAuth({ identity: "bench@example.org", armoredPrivateKey: privateKey }),
  };
  // Parse the keys now, so no measured call pays for it.
  await Promise.all([keys.ecdsa.signer(), keys.pgp.signer()]);
  return keys;
}

/** The SDK's transport of a kind, as a user builds it from the package's entries. */
export function sdkTransport(endpoints: BenchEndpoints, kind: TransportKind): Transport {
  switch (kind) {
    case "grpc":
      return createGrpcTransport({ baseUrl: endpoints.grpcUrl });
    case "grpcweb":
      return createGrpcWebTransport({ baseUrl: endpoints.httpUrl });
    case "gateway":
      return createGatewayTransport({ baseUrl: endpoints.httpUrl });
  }
}

/**
 * What a user without the SDK would use: Connect's own transports; for the gateway, which
 * Connect has no transport for, the SDK's gateway transport without the client around it.
 * `interceptors` run on every call, as the user's own would.
 */
export function rawTransport(
  endpoints: BenchEndpoints,
  kind: TransportKind,
  interceptors: Interceptor[] = [],
): Transport {
  switch (kind) {
    case "grpc":
      return createConnectGrpcTransport({ baseUrl: endpoints.grpcUrl, interceptors });
    case "grpcweb":
      return createConnectGrpcWebTransport({
        baseUrl: endpoints.httpUrl,
        useBinaryFormat: true,
        interceptors,
      });
    case "gateway":
      return createGatewayTransport({ baseUrl: endpoints.httpUrl, interceptors });
  }
}

export function sdkClient(
  endpoints: BenchEndpoints,
  kind: TransportKind,
  auth: OmniAuth | undefined,
): OmniClient {
  return createOmniClient({ transport: sdkTransport(endpoints, kind), auth });
}

export interface RawClients {
  readonly management: Client<typeof ManagementService>;
  readonly state: Client<typeof State>;
}

export function rawClients(
  endpoints: BenchEndpoints,
  kind: TransportKind,
  interceptors: Interceptor[] = [],
): RawClients {
  const transport = rawTransport(endpoints, kind, interceptors);
  return {
    management: createClient(ManagementService, transport),
    state: createClient(State, transport),
  };
}
