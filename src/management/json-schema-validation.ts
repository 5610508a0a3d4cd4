import type {
  ValidateJsonSchemaResponse,
  ValidateJsonSchemaResponse_Error,
} from "../gen/omni/management/management_pb.js";

/** One schema violation; `errors` holds the violations found beneath it. */
export interface JsonSchemaError {
  readonly schemaPath: string;
  readonly dataPath: string;
  readonly cause: string;
  readonly errors: readonly JsonSchemaError[];
}

function toError(error: ValidateJsonSchemaResponse_Error): JsonSchemaError {
  return {
    schemaPath: error.schemaPath,
    dataPath: error.dataPath,
    cause: error.cause,
    errors: error.errors.map(toError),
  };
}

function count(errors: readonly JsonSchemaError[]): number {
  let total = 0;
  for (const error of errors) {
    total += 1 + count(error.errors);
  }
  return total;
}

function appendErrorLines(
  errors: readonly JsonSchemaError[],
  depth: number,
  lines: string[],
): void {
  for (const error of errors) {
    const where = error.dataPath === "" ? "(root)" : error.dataPath;
    lines.push(`${"  ".repeat(depth)}${where}: ${error.cause}`);
    appendErrorLines(error.errors, depth + 1, lines);
  }
}

/** The result of checking a document against a JSON schema. */
export class JsonSchemaValidation {
  readonly errors: readonly JsonSchemaError[];
  /** Every error, nested ones included. */
  readonly totalErrors: number;

  constructor(errors: readonly JsonSchemaError[]) {
    this.errors = errors;
    this.totalErrors = count(errors);
  }

  static fromResponse(response: ValidateJsonSchemaResponse): JsonSchemaValidation {
    return new JsonSchemaValidation(response.errors.map(toError));
  }

  get valid(): boolean {
    return this.errors.length === 0;
  }

  /** `valid`, or the error count followed by one indented line per error. */
  summary(): string {
    if (this.valid) {
      return "valid";
    }
    const lines = [`${this.totalErrors} error${this.totalErrors === 1 ? "" : "s"}`];
    appendErrorLines(this.errors, 1, lines);
    return lines.join("\n");
  }
}
