// The same dashboard on bare connect-web and the generated descriptors, without signing.
import { fromBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { ClusterSpecSchema } from "../../src/gen/omni/specs/omni_pb.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";

const transport = createGrpcWebTransport({ baseUrl: location.origin, useBinaryFormat: true });
const state = createClient(State, transport);
const management = createClient(ManagementService, transport);
for await (const response of state.list({
  namespace: "default",
  type: "Clusters.omni.sidero.dev",
})) {
  const spec = fromBinary(
    ClusterSpecSchema,
    response.resource?.spec?.protoSpec ?? new Uint8Array(),
  );
  document.body.append(`${response.resource?.metadata?.id} ${spec.kubernetesVersion}\n`);
}
const { kubeconfig } = await management.kubeconfig({}, { headers: { cluster: "talos-default" } });
document.body.append(new TextDecoder().decode(kubeconfig));
