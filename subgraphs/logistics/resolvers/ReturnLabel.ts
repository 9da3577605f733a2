import { visible } from '../../shared/auth';
import { asOf } from '../../shared/cached';
import type { LogisticsContext } from '../context';
import type { ReturnLabel as ReturnLabelModel } from '../port';

export const ReturnLabel = {
  asOf,
  __resolveReference: async (ref: { id: string }, ctx: LogisticsContext) => visible(ctx.viewer, await ctx.loaders.returnLabel.load(ref.id)),
  return: (label: ReturnLabelModel) => ({ __typename: 'Return', id: label.returnId }),
};
