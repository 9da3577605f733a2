import { moneyResolvers } from '../../shared/money';
import { scalarResolvers } from '../../shared/scalars';
import { Customer } from './Customer';
import { LineItem } from './LineItem';
import { Order } from './Order';
import { Query } from './Query';
import { Return, ReturnItemResolvers } from './Return';

export const resolvers = {
  ...scalarResolvers,
  ...moneyResolvers,
  Query,
  Order,
  LineItem,
  Return,
  ReturnItem: ReturnItemResolvers,
  Customer,
};
