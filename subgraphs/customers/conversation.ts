import { randomUUID } from 'node:crypto';
import { actorFor, visible } from '../shared/auth';
import { AppError, badInput, ErrorCode } from '../shared/errors';
import { callerKey } from '../shared/idempotency';
import { handoffToAccept, handoffToResolve } from '../shared/metrics';
import { redactCardNumbers as redact } from '../shared/pii';
import type { CustomersContext } from './context';
import type { Channel, Handoff, Intent, Interaction, InteractionOutcome, Sentiment } from './port';

const LIMITS = { summary: 2_000, failureReason: 1_000, step: 300, steps: 30, lineItemIds: 100, id: 100 };
const HANDOFF_TARGETS: Channel[] = ['VOICE', 'CHAT', 'HUMAN_DESK'];
export const newId = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 20)}`;

export interface InteractionFields {
  customerId: string;
  orderId?: string | null;
  lineItemIds?: string[] | null;
  stepsTried?: string[] | null;
  failureReason?: string | null;
  sentiment?: Sentiment | null;
  summary?: string | null;
  agentId?: string | null;
}

function checkLength(value: string | null | undefined, max: number, argument: string) {
  if (value != null && value.length > max) throw badInput(`${argument} takes at most ${max} characters`, { argument });
}

/** Free text and lists a channel sends: bounded, so one write cannot bloat every later context. */
function checkFields(input: InteractionFields) {
  checkLength(input.summary, LIMITS.summary, 'summary');
  checkLength(input.failureReason, LIMITS.failureReason, 'failureReason');
  checkLength(input.agentId, LIMITS.id, 'agentId');
  checkLength(input.orderId, LIMITS.id, 'orderId');
  const steps = input.stepsTried ?? [];
  if (steps.length > LIMITS.steps) throw badInput(`stepsTried takes at most ${LIMITS.steps} steps`, { argument: 'stepsTried' });
  steps.forEach((step) => checkLength(step, LIMITS.step, 'stepsTried'));
  const items = input.lineItemIds ?? [];
  if (items.length > LIMITS.lineItemIds) throw badInput(`lineItemIds takes at most ${LIMITS.lineItemIds} ids`, { argument: 'lineItemIds' });
  if (items.length && !input.orderId) throw badInput('lineItemIds need the orderId they belong to', { argument: 'lineItemIds' });
}

async function requireCustomer(ctx: CustomersContext, customerId: string) {
  const customer = await ctx.loaders.customer.load(customerId);
  if (!customer) throw new AppError(ErrorCode.NOT_FOUND, 'No customer with this id', { argument: 'customerId' });
  return customer;
}

/**
 * The order and items a write names, checked with the OMS that owns them before anything is
 * written: a stored reference to an order that does not exist, or is someone else's, would break
 * every later read of this customer's context.
 */
async function requireReferences(ctx: CustomersContext, input: Pick<InteractionFields, 'customerId' | 'orderId' | 'lineItemIds'>) {
  if (!input.orderId) return;
  const { orderReference: order } = await ctx.services.graph<{ orderReference: { lineItemIds: string[] } | null }>(
    'orders',
    /* GraphQL */ `query ($customerId: ID!, $orderId: ID!) { orderReference(customerId: $customerId, orderId: $orderId) { lineItemIds } }`,
    { customerId: input.customerId, orderId: input.orderId },
  );
  // Another customer's order answers as one that does not exist.
  if (!order) throw new AppError(ErrorCode.NOT_FOUND, 'No order with this id for this customer', { argument: 'orderId' });
  const items = new Set(order.lineItemIds);
  if (input.lineItemIds?.some((id) => !items.has(id))) throw badInput('Every line item must be one of this order', { argument: 'lineItemIds' });
}

function interactionOf(
  input: InteractionFields,
  fields: { channel: Channel; intent: Intent; outcome: InteractionOutcome },
  at: Date,
): Interaction {
  return {
    id: newId('int'),
    customerId: input.customerId,
    channel: fields.channel,
    intent: fields.intent,
    outcome: fields.outcome,
    orderId: input.orderId ?? null,
    lineItemIds: input.lineItemIds ?? [],
    stepsTried: (input.stepsTried ?? []).map(redact),
    failureReason: redact(input.failureReason ?? null),
    sentiment: input.sentiment ?? null,
    summary: redact(input.summary ?? null),
    agentId: input.agentId ?? null,
    occurredAt: at,
  };
}

export async function recordInteraction(
  ctx: CustomersContext,
  input: InteractionFields & { channel: Channel; intent: Intent; outcome: InteractionOutcome; idempotencyKey: string },
) {
  checkFields(input);
  // Recorded as who the token says is writing, never as who the input claims to be.
  const actor = actorFor(ctx.viewer, input.customerId, input.channel);
  await requireCustomer(ctx, input.customerId);
  await requireReferences(ctx, input);
  const fields = { ...input, channel: actor.channel ?? input.channel, agentId: ctx.viewer.kind === 'service' ? input.agentId : actor.agentId };
  const { interaction } = await ctx.source.recordInteraction(interactionOf(fields, fields, new Date()), callerKey(ctx.viewer, input.idempotencyKey));
  return interaction;
}

export async function escalate(
  ctx: CustomersContext,
  input: InteractionFields & { fromChannel: Channel; toChannel: Channel; intent: Intent; failureReason: string; summary: string; idempotencyKey: string },
) {
  if (!HANDOFF_TARGETS.includes(input.toChannel)) {
    throw badInput(`A handoff goes to ${HANDOFF_TARGETS.join(', ')}`, { argument: 'toChannel' });
  }
  if (!input.failureReason.trim() || !input.summary.trim()) {
    throw badInput('A handoff needs the failure reason and a summary: the next channel must not ask again', { argument: 'summary' });
  }
  checkFields(input);
  const actor = actorFor(ctx.viewer, input.customerId, input.fromChannel);
  if (ctx.viewer.kind !== 'service') input = { ...input, agentId: actor.agentId };
  await requireCustomer(ctx, input.customerId);
  await requireReferences(ctx, input);
  const now = new Date();
  const escalation = interactionOf(input, { channel: input.fromChannel, intent: input.intent, outcome: 'ESCALATED' }, now);
  const handoff: Handoff = {
    id: newId('ho'),
    customerId: input.customerId,
    status: 'OPEN',
    fromChannel: input.fromChannel,
    toChannel: input.toChannel,
    intent: input.intent,
    orderId: input.orderId ?? null,
    lineItemIds: escalation.lineItemIds,
    // The escalation's own text, card numbers already removed.
    stepsTried: escalation.stepsTried,
    failureReason: escalation.failureReason!,
    sentiment: escalation.sentiment,
    summary: escalation.summary!,
    escalationId: escalation.id,
    createdAt: now,
    acceptedAt: null,
    acceptedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    resolution: null,
    resolutionSummary: null,
  };
  return (await ctx.source.escalate(handoff, escalation, callerKey(ctx.viewer, input.idempotencyKey))).handoff;
}

/** The handoff an agent may work on: one of the customer its session verified, on its own channel. */
async function handoffForAgent(ctx: CustomersContext, input: { handoffId: string; channel: Channel }) {
  if (ctx.viewer.kind !== 'agent' && ctx.viewer.kind !== 'service') throw new AppError(ErrorCode.FORBIDDEN, 'Only agents take handoffs');
  const handoff = visible(ctx.viewer, await ctx.loaders.handoff.load(input.handoffId));
  if (!handoff) throw new AppError(ErrorCode.NOT_FOUND, 'No handoff with this id', { argument: 'handoffId' });
  const actor = actorFor(ctx.viewer, handoff.customerId, input.channel);
  return { handoff, agentId: actor.agentId };
}

export async function acceptHandoff(ctx: CustomersContext, input: { handoffId: string; agentId: string; channel: Channel }) {
  checkLength(input.agentId, LIMITS.id, 'agentId');
  const agentId = (await handoffForAgent(ctx, input)).agentId ?? input.agentId;
  input = { ...input, agentId };
  const at = new Date();
  const handoff = await ctx.source.acceptHandoff(input.handoffId, { agentId, at });
  if (!handoff) throw new AppError(ErrorCode.NOT_FOUND, 'No handoff with this id', { argument: 'handoffId' });
  // Accepted now, not an earlier acceptance answered again: counted once.
  if (handoff.acceptedAt?.getTime() === at.getTime()) observeWait(handoffToAccept, handoff, at);
  // Accepting twice is harmless for the agent who has it, and refused for anyone else.
  if (handoff.status === 'ACCEPTED' && handoff.acceptedBy === input.agentId) return handoff;
  throw new AppError(
    ErrorCode.CONFLICT,
    handoff.status === 'RESOLVED' ? 'This handoff is already resolved' : 'Another agent has accepted this handoff',
    { argument: 'handoffId', status: handoff.status },
  );
}

export async function resolveHandoff(
  ctx: CustomersContext,
  input: { handoffId: string; agentId: string; channel: Channel; outcome: InteractionOutcome; summary: string; idempotencyKey: string },
) {
  checkLength(input.summary, LIMITS.summary, 'summary');
  checkLength(input.agentId, LIMITS.id, 'agentId');
  if (input.outcome === 'ESCALATED' || input.outcome === 'IN_PROGRESS') {
    throw badInput('A handoff resolves as RESOLVED or ABANDONED; escalate again to pass it on', { argument: 'outcome' });
  }
  const { handoff, agentId } = await handoffForAgent(ctx, input);
  input = { ...input, agentId: agentId ?? input.agentId, summary: redact(input.summary) };
  const at = new Date();
  const closing = interactionOf(
    { customerId: handoff.customerId, orderId: handoff.orderId, lineItemIds: handoff.lineItemIds, summary: input.summary, agentId: input.agentId },
    { channel: input.channel, intent: handoff.intent, outcome: input.outcome },
    at,
  );
  const resolved = await ctx.source.resolveHandoff(handoff.id, { agentId: input.agentId, outcome: input.outcome, summary: input.summary, at }, closing, callerKey(ctx.viewer, input.idempotencyKey));
  if (resolved.resolvedAt?.getTime() === at.getTime()) observeWait(handoffToResolve, resolved, at);
  return resolved;
}

const observeWait = (metric: typeof handoffToAccept, handoff: Handoff, at: Date) =>
  metric.labels(handoff.fromChannel, handoff.toChannel).observe((at.getTime() - handoff.createdAt.getTime()) / 1000);
