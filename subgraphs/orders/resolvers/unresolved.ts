import { AppError, ErrorCode } from '../../shared/errors';

/**
 * An entity reference the OMS cannot resolve (deleted or erased upstream, or not the caller's: the
 * same answer for both). Thrown, not null: the gateway puts the error at the reference's path even
 * in an answer that has other errors, where a null would be dropped without a word.
 */
export function unresolved(what: 'order' | 'line item'): never {
  throw new AppError(ErrorCode.NOT_FOUND, `This ${what} cannot be found in the OMS (deleted or erased there, or not the caller's)`, { service: 'orders' });
}
