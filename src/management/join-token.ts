import { defineSecret, redacted } from "./secret-property.js";

/**
 * A join token created by `createJoinToken`. Its `id` is the token itself, so it is readable but
 * hidden from `JSON.stringify` and `toString()`.
 */
export class CreatedJoinToken {
  readonly name: string;
  declare readonly id: string;

  constructor(name: string, id: string) {
    this.name = name;
    defineSecret(this, "id", id);
  }

  toString(): string {
    return `CreatedJoinToken(${this.name})`;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, id: redacted };
  }
}
