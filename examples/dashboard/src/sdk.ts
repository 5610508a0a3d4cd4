// The one place the dashboard imports the SDK from. In an application this is
// `export * from "sidero-omni-client";`; the example builds against the sources of this repository.
export * from "../../../src/index.js";
