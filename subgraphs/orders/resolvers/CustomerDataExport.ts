import { requireRole } from '../../shared/auth';
import type { OrdersContext } from '../context';

export const CustomerDataExport = {
  __resolveReference: async (ref: { customerId: string }, ctx: OrdersContext) => {
    requireRole(ctx.viewer, ['operations', 'service'], 'export customer data');
    const { orderIds, data } = await ctx.source.exportCustomer(ref.customerId);
    return { customerId: ref.customerId, orderIds, oms: data, omsSystem: ctx.source.privacy.export };
  },
};
