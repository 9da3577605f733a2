import { pageSize } from '../../shared/loaders';
import type { CustomersContext } from '../context';
import type { Customer as CustomerModel } from '../port';

export const Customer = {
  __resolveReference: (ref: { id: string }, ctx: CustomersContext) => ctx.loaders.customer.load(ref.id),
  defaultShippingAddress: (customer: CustomerModel) => {
    const shipping = customer.addresses.filter((a) => a.kind === 'SHIPPING');
    return shipping.find((a) => a.isDefault) ?? shipping[0] ?? null;
  },
  interactions: (customer: CustomerModel, args: { first: number }, ctx: CustomersContext) =>
    ctx.loaders.interactionsByCustomer(pageSize(args.first)).load(customer.id),
};
