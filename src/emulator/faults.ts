import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/** Faults apply to the methods listed, as `/<package>.<Service>/<Method>`; omitted means every method. */
export interface FaultTarget {
  methods?: readonly string[];
}

/** Answers chosen calls with an error instead of running them. */
export interface ErrorFault extends FaultTarget {
  /** The gRPC code to answer with, e.g. `Code.Unavailable`. */
  code: Code;
  /** Share of matching calls that fail, 0 to 1 (default 1). Decisions follow the emulator's seed. */
  rate?: number;
  message?: string;
}

/** Ends server streams with an error after they sent `afterMessages` messages. */
export interface StreamCutFault extends FaultTarget {
  afterMessages: number;
  /** Default `Code.Unavailable`, what a dropped connection looks like to a client. */
  code?: Code;
}

/** Faults the emulator injects into calls, on every transport. */
export interface OmniEmulatorFaults {
  /** Added before every matching call is handled: a fixed delay or a range picked per call. */
  latency?: FaultTarget & ({ ms: number } | { minMs: number; maxMs: number });
  errors?: readonly ErrorFault[];
  streamCut?: StreamCutFault;
  /** Matching calls never answer; they end only when the client cancels or its deadline passes. */
  stall?: FaultTarget;
}

/** A small seeded PRNG (mulberry32), so that fault decisions repeat with the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function matches(target: FaultTarget | undefined, method: string): boolean {
  return target !== undefined && (target.methods === undefined || target.methods.includes(method));
}

async function* cutAfter<T>(
  messages: AsyncIterable<T>,
  limit: number,
  code: Code,
): AsyncIterable<T> {
  let sent = 0;
  for await (const message of messages) {
    if (sent >= limit) {
      throw new ConnectError("stream cut by the emulator's fault injection", code);
    }
    yield message;
    sent++;
  }
}

/**
 * The fault interceptor reads the current faults on every call, so tests can change them on a
 * running emulator.
 */
export function createFaultInterceptor(
  current: () => OmniEmulatorFaults,
  random: () => number,
): Interceptor {
  return (next) => async (req) => {
    const faults = current();
    const method = `/${req.service.typeName}/${req.method.name}`;
    const latency = faults.latency;
    if (latency && matches(latency, method)) {
      const ms =
        "ms" in latency ? latency.ms : latency.minMs + random() * (latency.maxMs - latency.minMs);
      await sleep(ms, undefined, { signal: req.signal });
    }
    if (matches(faults.stall, method)) {
      await new Promise<never>((_, reject) => {
        req.signal.addEventListener("abort", () => reject(req.signal.reason), { once: true });
      });
    }
    for (const fault of faults.errors ?? []) {
      if (matches(fault, method) && random() < (fault.rate ?? 1)) {
        throw new ConnectError(fault.message ?? "fault injected by the emulator", fault.code);
      }
    }
    const response = await next(req);
    const cut = faults.streamCut;
    if (response.stream && cut && matches(cut, method)) {
      return {
        ...response,
        message: cutAfter(response.message, cut.afterMessages, cut.code ?? Code.Unavailable),
      };
    }
    return response;
  };
}
