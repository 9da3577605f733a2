import { CustomerDataExport } from './CustomerDataExport';
import { moneyResolvers } from '../../shared/money';
import { scalarResolvers } from '../../shared/scalars';
import { Balance, PaymentPromise } from './Balance';
import { Mutation } from './Mutation';
import { Customer } from './Customer';
import { Dispute } from './Dispute';
import { Order, Return } from './Order';
import { Payment } from './Payment';
import { Query } from './Query';
import { Refund } from './Refund';

export const resolvers = { ...scalarResolvers, ...moneyResolvers, Query, Mutation, PaymentPromise, Payment, Refund, Dispute, Balance, Order, Return, Customer, CustomerDataExport };
