import { describe, expect, it } from 'vitest';
import { fromInfraError } from './errors.js';

const err = (props: Record<string, unknown>, message = 'x') => Object.assign(new Error(message), props);

describe('fromInfraError', () => {
  it.each([
    ['Postgres refusing connections', err({ code: 'ECONNREFUSED' })],
    ['Postgres shutting down', err({ code: '57P01' })],
    ['Postgres starting up', err({ code: '57P03' })],
    ['a statement timeout', err({ code: '57014' })],
    ['too many connections', err({ code: '53300' })],
    ['a lost connection (SQLSTATE 08006)', err({ code: '08006' })],
    ['a deadlock', err({ code: '40P01' })],
    ['the pool waiting too long for a connection', err({}, 'timeout exceeded when trying to connect')],
    ['a connection dropped mid-query', err({}, 'Connection terminated unexpectedly')],
    ['an ioredis command timeout', err({}, 'Command timed out')],
    ['ioredis giving up while disconnected', err({ name: 'MaxRetriesPerRequestError' }, 'Reached the max retries per request limit (which is 1).')],
    ['ioredis without its offline queue', err({}, "Stream isn't writeable and enableOfflineQueue options is false")],
    ['every address refused', Object.assign(new AggregateError([err({ code: 'ECONNREFUSED' }), err({ code: 'ECONNREFUSED' })]), { code: undefined })],
  ])('answers %s with 503 UNAVAILABLE', (_, e) => {
    expect(fromInfraError(e)?.toBody().error.code).toBe('UNAVAILABLE');
    expect(fromInfraError(e)?.status).toBe(503);
  });

  it.each([
    ['a unique violation', err({ code: '23505' })],
    ['a syntax error in our SQL', err({ code: '42601' })],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['not an error', 'oops'],
    ['nothing', undefined],
  ])('leaves %s alone', (_, e) => {
    expect(fromInfraError(e)).toBeUndefined();
  });
});
