import { createRegistry, type DescFile, type DescMethod, type Registry } from "@bufbuild/protobuf";

/**
 * The JSON form of a `google.protobuf.Any` names its content by type URL
 * (`{"@type": "type.googleapis.com/machine.ServiceStateEvent", ...}`), and protobuf-es can only
 * read or write the types its registry holds. Talos events, for one, arrive that way.
 */
export type MethodRegistry = (method: DescMethod) => Registry;

const fileRegistries = new WeakMap<DescFile, Registry>();

/** Every type of a proto file and of all the files it imports, directly or not. */
function fileRegistry(file: DescFile): Registry {
  let registry = fileRegistries.get(file);
  if (registry === undefined) {
    const files = new Set<DescFile>();
    const pending = [file];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      if (!files.has(next)) {
        files.add(next);
        pending.push(...next.dependencies);
      }
    }
    registry = createRegistry(...files);
    fileRegistries.set(file, registry);
  }
  return registry;
}

/**
 * Looks up the registry for a method's JSON: the types its service's file can reach, plus
 * `extra` (the caller's own types, which win on a clash). Each is built on first use and kept.
 */
export function createMethodRegistry(extra?: Registry): MethodRegistry {
  if (extra === undefined) {
    return (method) => fileRegistry(method.parent.file);
  }
  const combined = new WeakMap<DescFile, Registry>();
  return (method) => {
    const file = method.parent.file;
    let registry = combined.get(file);
    if (registry === undefined) {
      registry = createRegistry(fileRegistry(file), extra);
      combined.set(file, registry);
    }
    return registry;
  };
}
