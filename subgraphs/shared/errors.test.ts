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

  it('says what was wrong with an input without the value, and suggests nothing in production', () => {
    const variableError = (message: string, reason: GraphQLError) =>
      new GraphQLError(`${message}; ${reason.message}`, { originalError: reason, extensions: { code: 'BAD_USER_INPUT' } });
    const asNumber = variableError('Variable "$email" got invalid value 4222222222222', new GraphQLError('String cannot represent a non string value: 4222222222222'));
    const enumValue = variableError(
      'Variable "$input" got invalid value "VOICEE" at "input.channel"',
      new GraphQLError('Value "VOICEE" does not exist in "Channel" enum. Did you mean the enum value "VOICE"?'),
    );
    const formatted = (error: GraphQLError, production = false) =>
      createErrorFormatter(createLogger('test', 'silent'), { production })({ message: error.message, extensions: { code: 'BAD_USER_INPUT' } }, error).message;
    expect(formatted(asNumber)).toBe('Variable "$email" has an invalid value: String cannot represent a non string value.');
    expect(formatted(enumValue)).toBe('Variable "$input" has an invalid value at "input.channel": The value is not one of enum "Channel". Did you mean the enum value "VOICE"?');
    expect(formatted(enumValue, true)).toBe('Variable "$input" has an invalid value at "input.channel": The value is not one of enum "Channel".');
    const literal = new GraphQLError('Expected value of type "ID!", found {a: "4111111111111111"}.', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(createErrorFormatter(createLogger('test', 'silent'))({ message: literal.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, literal).message).toBe(
      'Expected a value of type "ID!".',
    );
  });
});
