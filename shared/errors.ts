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
  IDEMPOTENCY_KEY_REUSED: 422,
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
  '22021': ['VALIDATION_ERROR', 'A text holds a character that cannot be stored (such as NUL).'],
  '22P05': ['VALIDATION_ERROR', 'A text holds a character that cannot be stored (such as NUL).'],
};

export function fromPgError(err: unknown): AppError | undefined {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string') return undefined;
  const hit = sqlStates[code];
  return hit ? new AppError(hit[0], hit[1]) : undefined;
}

// Postgres or Redis away, restarting, or too slow: nothing wrong with the request, try again soon.
// SQLSTATE classes 08 (connection), 53 (resources), 57 (operator intervention: shutdown, statement
// timeout) and 40001/40P01/55P03 (serialization, deadlock, lock timeout); socket errors; the pg pool's
// and ioredis' own messages for a lost connection, a full pool or a command timeout.
const unavailableStates = /^(08|53|57)|^(40001|40P01|55P03)$/;
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const unavailableMessages =
  /timeout exceeded when trying to connect|Connection terminated|connection error and is not queryable|Client was closed|Command timed out|Connection is closed|Stream isn't writeable|Reached the max retries per request|Cannot use a pool after calling end/i;

export const unavailable = () => new AppError('UNAVAILABLE', 'The service is briefly unavailable; please try again in a few seconds.');

export function fromInfraError(err: unknown): AppError | undefined {
  const e = err as { code?: unknown; message?: unknown; name?: unknown; errors?: unknown } | undefined;
  if (!e || typeof e !== 'object') return undefined;
  const code = typeof e.code === 'string' ? e.code : '';
  if (unavailableStates.test(code) || socketCodes.has(code)) return unavailable();
  if (e.name === 'MaxRetriesPerRequestError') return unavailable();
  if (typeof e.message === 'string' && unavailableMessages.test(e.message)) return unavailable();
  // Node reports a refused connection to every address of a host as one AggregateError.
  if (Array.isArray(e.errors) && e.errors.length && e.errors.every((x) => fromInfraError(x))) return unavailable();
  return undefined;
}
