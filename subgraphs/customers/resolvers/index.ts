import { scalarResolvers } from '../../shared/scalars';
import { Caller } from './Caller';
import { ContactRateReport } from './ContactRateReport';
import { Customer } from './Customer';
import { Handoff } from './Handoff';
import { Interaction } from './Interaction';
import { Mutation, VerifiedSession } from './Mutation';
import { Order } from './Order';
import { Query } from './Query';

export const resolvers = { ...scalarResolvers, Query, Mutation, Customer, Caller, Interaction, Handoff, VerifiedSession, ContactRateReport, Order };
