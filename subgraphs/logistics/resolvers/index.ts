import { CustomerDataExport } from './CustomerDataExport';
import { scalarResolvers } from '../../shared/scalars';
import { Order, Return } from './Order';
import { Query } from './Query';
import { ReturnLabel } from './ReturnLabel';
import { Mutation } from './Mutation';
import { DeliveryExceptionResolvers, Shipment } from './Shipment';

export const resolvers = { ...scalarResolvers, Query, Mutation, Shipment, DeliveryException: DeliveryExceptionResolvers, ReturnLabel, Order, Return, CustomerDataExport };
