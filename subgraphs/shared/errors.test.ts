import { GraphQLError } from 'graphql';
import { AppError, createErrorFormatter, ErrorCode } from './errors';
import { createLogger } from './logger';

const format = createErrorFormatter(createLogger('test', 'silent'));
const asResolverError = (original: Error) =>
  new GraphQLError(original.message, { originalError: original, path: ['customer'] });

describe('the error formatter', () => {
  it('keeps an AppError’s code, message and details', () => {
    const err = new AppError(ErrorCode.BAD_USER_INPUT, 'first must be between 0 and 100', { argument: 'first' });
    expect(format({ message: err.message, path: ['customer'] }, asResolverError(err))).toEqual({
      message: 'first must be between 0 and 100',
      path: ['customer'],
      locations: undefined,
      extensions: { argument: 'first', code: 'BAD_USER_INPUT' },
    });
  });

  it('hides a backend’s message and stack behind INTERNAL_SERVER_ERROR', () => {
    const err = new Error('connect ECONNREFUSED 10.0.0.7:5432 (password=hunter2)');
    const formatted = format({ message: err.message, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } }, asResolverError(err));
    expect(formatted).toEqual({ message: 'Internal server error', path: undefined, locations: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('passes request errors through without a stack trace', () => {
    const formatted = format(
      { message: 'Cannot query field "nope"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['at y'] } },
      new GraphQLError('Cannot query field "nope"'),
    );
    expect(formatted).toEqual({ message: 'Cannot query field "nope"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });
});
