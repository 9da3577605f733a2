import DataLoader from 'dataloader';
import { perArgument } from './cached';
import { badInput } from './errors';

/** One DataLoader per value of a list argument (`first`), created on first use within a request. */
export const loaderPerArgument = <V>(list: (keys: readonly string[], first: number) => Promise<V[][]>) =>
  perArgument((first: number) => new DataLoader<string, V[]>((keys) => list(keys, first)));

export const MAX_PAGE_SIZE = 100;

/** Checks a `first` argument; the SDL cannot say "0 to 100". */
export function pageSize(first: number): number {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, { argument: 'first' });
  }
  return first;
}

/** A value computed on first use and shared by the rest of the request. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}
