import DataLoader from 'dataloader';
import { loaderPerArgument } from '../shared/loaders';
import type { Customer, CustomerSource, Handoff, Interaction, VerifiedSession } from './port';

/** One set per request: every lookup in a request is batched into one backend call per kind. */
export function createCustomerLoaders(source: CustomerSource) {
  return {
    customer: new DataLoader<string, Customer | null>((ids) => source.getCustomers(ids)),
    interaction: new DataLoader<string, Interaction | null>((ids) => source.getInteractions(ids)),
    interactionsByCustomer: loaderPerArgument<Interaction>((ids, first) => source.listInteractionsByCustomer(ids, first)),
    interactionsByOrder: new DataLoader<string, Interaction[]>((ids) => source.listInteractionsByOrder(ids)),
    handoff: new DataLoader<string, Handoff | null>((ids) => source.getHandoffs(ids)),
    handoffsByCustomer: loaderPerArgument<Handoff>((ids, first) => source.listHandoffsByCustomer(ids, first)),
    openHandoffsByCustomer: new DataLoader<string, Handoff[]>((ids) => source.listOpenHandoffsByCustomer(ids)),
    session: new DataLoader<string, VerifiedSession | null>((ids) => source.getVerifiedSessions(ids)),
  };
}

export type CustomerLoaders = ReturnType<typeof createCustomerLoaders>;
