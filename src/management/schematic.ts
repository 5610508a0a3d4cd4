import type { CreateSchematicResponse } from "../gen/omni/management/management_pb.js";
import { redacted } from "./secret-property.js";

/**
 * An Image Factory schematic. `yaml` can carry the join token in its kernel arguments, so it is
 * readable but left out of `JSON.stringify`.
 */
export class Schematic {
  readonly id: string;
  readonly pxeUrl: string;
  readonly grpcTunnelEnabled: boolean;
  declare readonly yaml: string;

  constructor(response: CreateSchematicResponse) {
    this.id = response.schematicId;
    this.pxeUrl = response.pxeUrl;
    this.grpcTunnelEnabled = response.grpcTunnelEnabled;
    Object.defineProperty(this, "yaml", { value: response.schematicYml, enumerable: false });
  }

  toString(): string {
    return `Schematic(${this.id})`;
  }

  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      pxeUrl: this.pxeUrl,
      grpcTunnelEnabled: this.grpcTunnelEnabled,
      yaml: this.yaml === "" ? "" : redacted,
    };
  }
}
