// The dashboard of sdk-ecdsa.ts on the SDK's call functions: the same signing, read-only guard,
// retries, typed errors and input checks, with only the two calls it makes in its bundle.
import {
  Clusters,
  createGrpcWebTransport,
  createOmniTransport,
  ecdsaAuth,
  generateEcdsaKey,
} from "../../src/index.js";
import { kubeconfig } from "../../src/management/calls.js";
import { listAll } from "../../src/resources/calls.js";

const key = await generateEcdsaKey();
const transport = createOmniTransport({
  transport: createGrpcWebTransport({ baseUrl: location.origin }),
  auth: ecdsaAuth({
    identity: "admin@example.org",
    privateKey: key.privateKey,
    publicKeyId: key.publicKeyId,
  }),
  readOnly: true,
});
for (const cluster of await listAll(transport, Clusters)) {
  document.body.append(`${cluster.metadata.id} ${cluster.spec.kubernetesVersion}\n`);
}
document.body.append(await kubeconfig(transport, { cluster: "talos-default" }));
