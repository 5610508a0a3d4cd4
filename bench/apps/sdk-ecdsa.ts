// A minimal dashboard on the SDK: ECDSA login key, gRPC-Web, lists clusters, reads a kubeconfig.
import {
  Clusters,
  createGrpcWebTransport,
  createOmniClient,
  ecdsaAuth,
  generateEcdsaKey,
} from "../../src/index.js";

const key = await generateEcdsaKey();
const client = createOmniClient({
  transport: createGrpcWebTransport({ baseUrl: location.origin }),
  auth: ecdsaAuth({
    identity: "admin@example.org",
    privateKey: key.privateKey,
    publicKeyId: key.publicKeyId,
  }),
  readOnly: true,
});
for (const cluster of await client.resources.listAll(Clusters)) {
  document.body.append(`${cluster.metadata.id} ${cluster.spec.kubernetesVersion}\n`);
}
document.body.append(await client.management.kubeconfig({ cluster: "talos-default" }));
