import { requireRole } from '../../shared/auth';
import type { LogisticsContext } from '../context';

export const CustomerDataExport = {
  // Logistics knows parcels by order: the OMS's order ids arrive with the reference (@requires).
  __resolveReference: async (ref: { customerId: string; orderIds: string[] }, ctx: LogisticsContext) => {
    requireRole(ctx.viewer, ['operations', 'service'], 'export customer data');
    return { customerId: ref.customerId, logistics: await ctx.source.exportOrders(ref.orderIds), logisticsSystem: ctx.source.privacy.export };
  },
};
