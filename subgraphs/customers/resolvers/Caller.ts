import type { CustomersContext } from '../context';
import { serviceMay } from '../../shared/auth';
import { maskEmail, maskPhone } from '../../shared/pii';
import type { Customer } from '../port';

/** The only view of a customer an unverified caller's agent gets. */
export const toCaller = (customer: Customer) => ({
  id: customer.id,
  firstName: customer.firstName,
  maskedEmail: maskEmail(customer.email),
  maskedPhone: maskPhone(customer.phone),
  preferredLanguage: customer.preferredLanguage,
  locale: customer.locale,
});

export const Caller = {
  __resolveReference: async (ref: { id: string }, ctx: CustomersContext) => {
    if (ctx.viewer.kind !== 'agent' && !serviceMay(ctx.viewer, '*')) return null;
    const customer = await ctx.loaders.customer.load(ref.id);
    return customer && toCaller(customer);
  },
};
