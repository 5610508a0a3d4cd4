/**
 * Which Omni releases serve an RPC that not every Omni has, by gRPC method path. RPCs that
 * every open-source Omni release has (v0.30.1 and later) are left out. Source: the release
 * tags of `client/api/omni/management/management.proto` and the COSI runtime Omni depends on.
 */
const availability: Readonly<Record<string, string>> = {
  "/management.ManagementService/GetSupportBundle": "v0.32.0 and later",
  "/management.ManagementService/ReadAuditLog": "v0.42.0 and later",
  "/management.ManagementService/ValidateJSONSchema": "v0.49.0 and later",
  "/management.ManagementService/MaintenanceUpgrade": "v0.50.0 and later",
  "/management.ManagementService/GetMachineJoinConfig": "v1.0.0 and later",
  "/management.ManagementService/CreateJoinToken": "v1.0.0 and later",
  "/management.ManagementService/TearDownLockedCluster": "v1.2.0 and v1.2.1 only",
  "/management.ManagementService/ResetNodeUniqueToken": "v1.5.7 and later",
  "/management.ManagementService/CreateUser": "v1.6.0 and later",
  "/management.ManagementService/ListUsers": "v1.6.0 and later",
  "/management.ManagementService/UpdateUser": "v1.6.0 and later",
  "/management.ManagementService/DestroyUser": "v1.6.0 and later",
  "/management.ManagementService/CreateSchematicFromRaw": "v1.8.0 and later",
  "/management.ManagementService/MachinePowerOff": "v1.8.0 and later",
  "/management.ManagementService/MachinePowerOn": "v1.8.0 and later",
  "/management.ManagementService/MaintenanceLifecycle": "v1.9.0 and later",
  "/management.ManagementService/GetBootAssetURL": "builds after v1.10.4 (not yet released)",
  "/cosi.resource.State/Teardown": "v1.8.0 and later",
  "/cosi.resource.State/TeardownAndDestroy": "v1.8.0 and later",
};

/** The Omni versions that have the RPC, for `UnimplementedError.availableIn`; `undefined` if all do. */
export function omniVersionsWith(method: string): string | undefined {
  return availability[method];
}
