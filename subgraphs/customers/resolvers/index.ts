import { scalarResolvers } from '../../shared/scalars';
import { Customer } from './Customer';
import { Interaction } from './Interaction';
import { Order } from './Order';
import { Query } from './Query';

export const resolvers = { ...scalarResolvers, Query, Customer, Interaction, Order };
