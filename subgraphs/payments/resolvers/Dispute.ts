import { visible } from '../../shared/auth';
import { asOf } from '../../shared/cached';
import { text } from '../../shared/i18n';
import type { PaymentsContext } from '../context';
import type { Dispute as DisputeModel } from '../port';

const OPEN = new Set(['NEEDS_RESPONSE', 'UNDER_REVIEW']);
export const isOpenDispute = (dispute: DisputeModel) => OPEN.has(dispute.status);

export const Dispute = {
  asOf,
  __resolveReference: async (ref: { id: string }, ctx: PaymentsContext) => visible(ctx.viewer, await ctx.loaders.dispute.load(ref.id)),
  payment: (dispute: DisputeModel, _: unknown, ctx: PaymentsContext) => ctx.loaders.payment.load(dispute.paymentId),
  order: (dispute: DisputeModel) => ({ __typename: 'Order', id: dispute.orderId }),
  isOpen: isOpenDispute,
  statusText: (dispute: DisputeModel, args: { locale?: string | null }) => text('disputeStatus', dispute.status, args.locale),
};
