/**
 * Domain errors of CRM operations; the API maps them to 400, 404 and 409 (api/http-errors.ts).
 */
export interface FieldProblem {
  field: string;
  problem: string;
}

/** The request names something invalid: nothing was written. */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.problem}`).join('; '));
  }
}

/** The request is valid but the state of things forbids it (e.g. no connected calendar). */
export class StateConflictError extends Error {
  override name = 'StateConflictError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The account has no such record (another account's records are not found either). */
export class RecordNotFoundError extends Error {
  override name = 'RecordNotFoundError';
  constructor(readonly what: string) {
    super(`${what} not found`);
  }
}

/** A field that must be unique in the account (an email) is taken. */
export class DuplicateRecordError extends Error {
  override name = 'DuplicateRecordError';
  constructor(
    readonly what: string,
    readonly field: string | undefined,
  ) {
    super(`a ${what} with this ${field ?? 'value'} already exists`);
  }
}
