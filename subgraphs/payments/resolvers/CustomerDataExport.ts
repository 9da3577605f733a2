import { requireRole } from '../../shared/auth';
import type { PaymentsContext } from '../context';

export const CustomerDataExport = {
  __resolveReference: async (ref: { customerId: string }, ctx: PaymentsContext) => {
    requireRole(ctx.viewer, ['operations', 'service'], 'export customer data');
    return { customerId: ref.customerId, payments: await ctx.source.exportCustomer(ref.customerId), paymentsSystem: ctx.source.privacy.export };
  },
};
