// The one function config-patch.ts loads on demand. Importing it by name, rather than the whole
// "yaml" module, keeps bundlers from building yaml's namespace object, whose helper would
// otherwise become a shared chunk that every page loads up front.
export { parse } from "yaml";
