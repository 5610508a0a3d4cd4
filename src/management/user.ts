import type { ListUsersResponse_User } from "../gen/omni/management/management_pb.js";

export interface OmniUser {
  readonly id: string;
  readonly email: string;
  readonly role: string;
  readonly samlLabels: Readonly<Record<string, string>>;
  /** As Omni reports it (a human-readable time, or empty when never active). */
  readonly lastActive: string;
}

export function toUser(user: ListUsersResponse_User): OmniUser {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    samlLabels: { ...user.samlLabels },
    lastActive: user.lastActive,
  };
}
