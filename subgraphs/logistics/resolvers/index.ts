import { scalarResolvers } from '../../shared/scalars';
import { Order, Return } from './Order';
import { Query } from './Query';
import { ReturnLabel } from './ReturnLabel';
import { Shipment } from './Shipment';

export const resolvers = { ...scalarResolvers, Query, Shipment, ReturnLabel, Order, Return };
