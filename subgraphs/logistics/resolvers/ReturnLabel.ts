import { asOf } from '../../shared/cached';
import type { LogisticsContext } from '../context';
import type { ReturnLabel as ReturnLabelModel } from '../port';

export const ReturnLabel = {
  asOf,
  __resolveReference: (ref: { id: string }, ctx: LogisticsContext) => ctx.loaders.returnLabel.load(ref.id),
  return: (label: ReturnLabelModel) => ({ __typename: 'Return', id: label.returnId }),
};
