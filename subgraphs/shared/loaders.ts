import DataLoader from 'dataloader';
import { getArgumentValues, getNamedType, isObjectType, Kind, type FieldNode, type GraphQLField, type GraphQLResolveInfo, type SelectionNode } from 'graphql';
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

/** The fields selected directly under the field being resolved (through fragments), with their definitions. */
function* selectedChildren(info: GraphQLResolveInfo): Generator<{ node: FieldNode; field: GraphQLField<unknown, unknown> }> {
  const type = getNamedType(info.returnType);
  if (!isObjectType(type)) return;
  const fields = type.getFields();
  const stack: SelectionNode[] = info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []);
  while (stack.length) {
    const selection = stack.pop()!;
    if (selection.kind === Kind.INLINE_FRAGMENT) stack.push(...selection.selectionSet.selections);
    else if (selection.kind === Kind.FRAGMENT_SPREAD) stack.push(...(info.fragments[selection.name.value]?.selectionSet.selections ?? []));
    else if (fields[selection.name.value]) yield { node: selection, field: fields[selection.name.value] };
  }
}

/** Whether the query asks for any of these fields under the field being resolved. */
export function selectsAny(info: GraphQLResolveInfo, names: readonly string[]): boolean {
  for (const { node } of selectedChildren(info)) if (names.includes(node.name.value)) return true;
  return false;
}

/**
 * Starts the reads of the children selected under this field while the field itself is still
 * reading: a child resolver runs only after its parent resolved, which costs one backend round
 * trip per level. `children` holds the child resolvers to start, by field name; each is called with
 * the parent as far as it is known (its key) and the field's arguments. Their reads land in the
 * request's loaders, where the real resolution finds them. A child that fails here is ignored: it
 * fails again, answered, when resolved.
 */
export function readAhead<P, C>(info: GraphQLResolveInfo, parent: P, ctx: C, children: Record<string, (parent: P, args: any, ctx: C) => unknown>): void {
  for (const { node, field } of selectedChildren(info)) {
    const child = children[node.name.value];
    if (!child) continue;
    try {
      void Promise.resolve(child(parent, getArgumentValues(field, node, info.variableValues), ctx)).catch(() => undefined);
    } catch {
      // Bad arguments: the child's own resolution reports them.
    }
  }
}
