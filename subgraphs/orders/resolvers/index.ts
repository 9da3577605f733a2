import { CustomerDataExport } from './CustomerDataExport';
import { moneyResolvers } from '../../shared/money';
import { scalarResolvers } from '../../shared/scalars';
import { ContactRateReport } from './ContactRateReport';
import { Customer } from './Customer';
import { LineItem } from './LineItem';
import { Mutation } from './Mutation';
import { Order } from './Order';
import { OrderStatusNote, Query, ReturnPolicyAnswer } from './Query';
import { Return, ReturnEligibility, ReturnItemResolvers, ReturnRefusal } from './Return';

export const resolvers = {
  ...scalarResolvers,
  ...moneyResolvers,
  Query,
  Mutation,
  Order,
  LineItem,
  Return,
  ReturnItem: ReturnItemResolvers,
  ReturnEligibility,
  ReturnRefusal,
  ReturnPolicyAnswer,
  OrderStatusNote,
  Customer,
  ContactRateReport,
  CustomerDataExport,
};
