// One error model: every failure the API answers is an AppError with a code from this table.
export const errorStatus = {
  VALIDATION_ERROR: 400,
  MALFORMED_JSON: 400,
  SELF_SWIPE: 400,
  SELF_ACTION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;
export interface ErrorDetail {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly status: (typeof errorStatus)[ErrorCode];
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    /** Response headers that belong to the error, e.g. Retry-After on a 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = errorStatus[code];
  }

  toBody() {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} was not found.`);

// SQLSTATEs a client's input can provoke; anything else stays a 500.
const sqlStates: Record<string, [ErrorCode, string]> = {
  '23505': ['CONFLICT', 'That already exists.'],
  '23503': ['NOT_FOUND', 'A referenced user does not exist.'],
  '23514': ['VALIDATION_ERROR', 'A value is out of its allowed range.'],
  '22003': ['VALIDATION_ERROR', 'A number is out of range.'],
  '22P02': ['VALIDATION_ERROR', 'A value has the wrong format.'],
};

export function fromPgError(err: unknown): AppError | undefined {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string') return undefined;
  const hit = sqlStates[code];
  return hit ? new AppError(hit[0], hit[1]) : undefined;
}
