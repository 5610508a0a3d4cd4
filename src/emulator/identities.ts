import { randomUUID } from "node:crypto";
import type { ParsedPublicKey } from "./public-keys.js";
import type { Role } from "./roles.js";
import { serviceAccountDomain } from "./service-account-keys.js";

/** `access.InfraProviderServiceAccountPrefix` in Omni's client module. */
const infraProviderPrefix = "infra-provider:";

/** A user or service-account identity; Omni keeps both as Identity + User resources. */
export interface IdentityRecord {
  /** Lower-cased e-mail; service accounts use `<name>@serviceaccount.omni.sidero.dev`. */
  email: string;
  userId: string;
  role: Role;
  serviceAccount: boolean;
  samlLabels: Record<string, string>;
  lastActive: Date | undefined;
}

export interface PublicKeyRecord {
  key: ParsedPublicKey;
  email: string;
  /** The role stored on the key; a signed call gets min(user role, this). */
  role: Role;
  confirmed: boolean;
  lastUsed: Date | undefined;
}

/**
 * Users, service accounts and their public keys: the part of Omni's state the auth layer and the
 * user / service-account RPCs share. Key lookups by id are map reads, so verifying a signature
 * never parses a key again.
 */
export class IdentityStore {
  readonly #identities = new Map<string, IdentityRecord>();
  readonly #keys = new Map<string, PublicKeyRecord>();
  readonly #confirmationWaiters = new Map<string, Set<() => void>>();

  addIdentity(
    email: string,
    role: Role,
    options: { serviceAccount?: boolean; userId?: string } = {},
  ): IdentityRecord {
    const record: IdentityRecord = {
      email: email.toLowerCase(),
      userId: options.userId ?? randomUUID(),
      role,
      serviceAccount: options.serviceAccount ?? false,
      samlLabels: {},
      lastActive: undefined,
    };
    this.#identities.set(record.email, record);
    return record;
  }

  identity(email: string): IdentityRecord | undefined {
    return this.#identities.get(email.toLowerCase());
  }

  identities(): IdentityRecord[] {
    return [...this.#identities.values()];
  }

  /** Removes an identity and every key it owns. */
  removeIdentity(email: string): boolean {
    const normalized = email.toLowerCase();
    for (const [id, record] of this.#keys) {
      if (record.email === normalized) {
        this.#keys.delete(id);
      }
    }
    return this.#identities.delete(normalized);
  }

  addKey(key: ParsedPublicKey, email: string, role: Role, confirmed: boolean): PublicKeyRecord {
    const record: PublicKeyRecord = {
      key,
      email: email.toLowerCase(),
      role,
      confirmed,
      lastUsed: undefined,
    };
    this.#keys.set(key.id, record);
    if (confirmed) {
      this.#notifyConfirmed(key.id);
    }
    return record;
  }

  key(id: string): PublicKeyRecord | undefined {
    return this.#keys.get(id);
  }

  keysOf(email: string): PublicKeyRecord[] {
    const normalized = email.toLowerCase();
    return [...this.#keys.values()].filter((record) => record.email === normalized);
  }

  removeKey(id: string): boolean {
    return this.#keys.delete(id);
  }

  confirmKey(id: string): boolean {
    const record = this.#keys.get(id);
    if (!record) {
      return false;
    }
    record.confirmed = true;
    this.#notifyConfirmed(id);
    return true;
  }

  /** Resolves when the key is confirmed; rejects with the signal's reason when it aborts first. */
  waitForConfirmation(id: string, signal: AbortSignal): Promise<void> {
    if (this.#keys.get(id)?.confirmed) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiters = this.#confirmationWaiters.get(id) ?? new Set<() => void>();
      this.#confirmationWaiters.set(id, waiters);
      const onAbort = (): void => {
        waiters.delete(done);
        reject(signal.reason);
      };
      const done = (): void => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      waiters.add(done);
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  #notifyConfirmed(id: string): void {
    const waiters = this.#confirmationWaiters.get(id);
    this.#confirmationWaiters.delete(id);
    for (const done of waiters ?? []) {
      done();
    }
  }
}

const infraProviderDomain = `infra-provider.${serviceAccountDomain}`;

/** The name without the `infra-provider:` prefix, the part the identity is made of. */
export function serviceAccountBaseName(name: string): string {
  return isInfraProviderServiceAccount(name) ? name.slice(infraProviderPrefix.length) : name;
}

/** Omni's identity of a service account; `infra-provider:<name>` accounts have a domain of their own. */
export function serviceAccountIdentity(name: string): string {
  const domain = isInfraProviderServiceAccount(name) ? infraProviderDomain : serviceAccountDomain;
  return `${serviceAccountBaseName(name)}@${domain}`;
}

/** Whether a service-account name is an infra provider's. */
export function isInfraProviderServiceAccount(name: string): boolean {
  return name.startsWith(infraProviderPrefix);
}

/** The name `ListServiceAccounts` shows: the identity without its domain, prefix restored. */
export function serviceAccountName(email: string): string {
  if (email.endsWith(`@${infraProviderDomain}`)) {
    return `${infraProviderPrefix}${email.slice(0, -infraProviderDomain.length - 1)}`;
  }
  return email.endsWith(`@${serviceAccountDomain}`)
    ? email.slice(0, -serviceAccountDomain.length - 1)
    : email;
}
