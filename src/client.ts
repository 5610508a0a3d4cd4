import { createAuthApi, type OmniAuthApi } from "./auth/login.js";
import { createManagementApi, type OmniManagementApi } from "./management/management-api.js";
import {
  createOmniTransports,
  type OmniTransport,
  type OmniTransportOptions,
} from "./omni-transport.js";
import { createResourcesApi, type ResourcesApi } from "./resources/api.js";

/** Options of `createOmniClient`: those of the transport it wraps. */
export interface OmniClientOptions extends OmniTransportOptions {}

/** A client for one Omni instance. */
export interface OmniClient {
  readonly management: OmniManagementApi;
  /** Clusters, machines and every other COSI resource, through `cosi.resource.State`. */
  readonly resources: ResourcesApi;
  /**
   * The login flow for browser-style (ECDSA / PGP user) keys. Registering and confirming a key is
   * how a read-only dashboard gets to read at all, so these calls are not stopped by `readOnly`;
   * `revokePublicKey` is, like every other write.
   */
  readonly auth: OmniAuthApi;
  readonly readOnly: boolean;
  /**
   * The wrapped transport, for raw generated clients (`createClient(Service, client.transport)`)
   * and the call functions: their calls are guarded, logged, signed and get `OmniError`s just
   * like the facade's.
   */
  readonly transport: OmniTransport;
}

/** Creates a client for Omni on the given transport, wrapped as `createOmniTransport` does. */
export function createOmniClient(options: OmniClientOptions): OmniClient {
  const { guarded, login } = createOmniTransports(options);
  const readOnly = options.readOnly ?? false;
  const client: OmniClient = {
    management: createManagementApi(guarded),
    resources: createResourcesApi(guarded),
    // Revoking a key deletes it on the server, so read-only mode refuses it like any other write.
    auth: createAuthApi(login, guarded),
    readOnly,
    transport: guarded,
  };
  // The transport and the auth API hold the signer; keep them out of serialised output.
  Object.defineProperty(client, "toJSON", { value: () => ({ readOnly }), enumerable: false });
  return Object.freeze(client);
}
