import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { stringify } from "yaml";
import {
  type GetSupportBundleRequest,
  type GetSupportBundleResponse,
  GetSupportBundleResponse_ProgressSchema,
  GetSupportBundleResponseSchema,
} from "../../gen/omni/management/management_pb.js";
import { callerWithRole } from "../caller.js";
import { type EmulatorState, invalidArgument } from "../state.js";
import { buildZip, type ZipEntry } from "../zip.js";

const encoder = new TextEncoder();
const omniSteps = ["collecting cluster resources", "collecting machine statuses"];
const machineSteps = ["collecting dmesg", "collecting machined logs", "collecting version"];

/**
 * Streams progress for each collection source (Omni itself, then every machine of the cluster),
 * then the zip in one `bundle_data` message.
 */
export async function* getSupportBundle(
  state: EmulatorState,
  request: GetSupportBundleRequest,
  context: HandlerContext,
): AsyncGenerator<GetSupportBundleResponse> {
  callerWithRole(context, "Operator");
  if (request.cluster === "") {
    throw invalidArgument("cluster name is required");
  }
  const cluster = state.catalog.clusters.get(request.cluster);
  if (request.encrypt) {
    throw new ConnectError(
      "support bundle encryption is not available in the emulator",
      Code.FailedPrecondition,
    );
  }
  if (!cluster) {
    // Omni skips what it cannot find: the bundle comes without the cluster's files, and the
    // missing Kubernetes client is reported as a progress error, not as a failed call.
    yield create(GetSupportBundleResponseSchema, {
      progress: create(GetSupportBundleResponse_ProgressSchema, {
        source: "cluster",
        error: `failed to get kubernetes client kubeconfig for cluster ${request.cluster} is not found`,
      }),
    });
    yield create(GetSupportBundleResponseSchema, { bundleData: buildZip([]) });
    return;
  }
  const machines = state.catalog.machinesOf(cluster.name);
  const sources = ["omni", ...machines.map((machine) => machine.hostname)];
  const files: ZipEntry[] = [
    { name: "omni/cluster.yaml", data: encoder.encode(stringify(cluster)) },
  ];
  // Like Omni: one message per collection step of a source, carrying the source's step count
  // but no value, so clients count the steps themselves.
  for (const source of sources) {
    const steps = source === "omni" ? omniSteps : machineSteps;
    for (const step of steps) {
      yield create(GetSupportBundleResponseSchema, {
        progress: create(GetSupportBundleResponse_ProgressSchema, {
          source,
          state: step,
          total: steps.length,
        }),
      });
    }
  }
  for (const machine of machines) {
    const lines = Array.from(
      { length: 400 },
      (_, line) => `${machine.hostname} machined: log line ${line}\n`,
    );
    files.push({ name: `${machine.hostname}/machined.log`, data: encoder.encode(lines.join("")) });
    files.push({
      name: `${machine.hostname}/version.yaml`,
      data: encoder.encode(stringify({ talos: machine.talosVersion })),
    });
  }
  // One message, as Omni sends it: Omni's Go client (and so omnictl) returns the first
  // `bundle_data` it receives as the whole bundle.
  yield create(GetSupportBundleResponseSchema, { bundleData: buildZip(files) });
}
