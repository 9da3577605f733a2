import type { PaymentsContext } from '../context';
import type { Balance as BalanceModel } from '../port';

export const Balance = {
  payments: (balance: BalanceModel, _: unknown, ctx: PaymentsContext) => ctx.loaders.payment.loadMany(balance.paymentIds),
};
