import type { PaymentsContext } from '../context';
import { formatDate } from '../../shared/i18n';
import type { Balance as BalanceModel, PaymentPromise as PromiseModel } from '../port';

export const Balance = {
  payments: (balance: BalanceModel, _: unknown, ctx: PaymentsContext) => ctx.loaders.payment.loadMany(balance.paymentIds),
  promises: async (balance: BalanceModel, _: unknown, ctx: PaymentsContext) =>
    (await ctx.loaders.openPromisesByCustomer.load(balance.customerId)).filter((p) => p.amount.currency === balance.currency),
};

export const PaymentPromise = {
  promisedForText: (promise: PromiseModel, args: { locale?: string | null }) =>
    formatDate(new Date(`${promise.promisedFor}T12:00:00Z`), args.locale),
};
