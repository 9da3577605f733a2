import type { Interaction } from '../../port';
import type { HubspotClient } from './client';
import { CONTACT_ID } from './system';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The note's body (HubSpot's notes are HTML): what happened, for the brand's agents in HubSpot. */
export function noteBody(i: Interaction): string {
  const head = [i.channel, i.intent, i.outcome].join(' · ');
  const lines = [
    i.orderId ? `Order ${i.orderId}` : null,
    i.summary,
    i.failureReason ? `Could not finish: ${i.failureReason}` : null,
    i.stepsTried.length ? `Tried: ${i.stepsTried.join(', ')}` : null,
  ].filter((l): l is string => !!l);
  return [`<p><strong>${escapeHtml(head)}</strong></p>`, ...lines.map((l) => `<p>${escapeHtml(l)}</p>`)].join('');
}

/**
 * Mirrors the graph's interactions to HubSpot as notes on the contact, so the brand's agents see
 * them in their CRM. HubSpot takes no idempotency key: the note is upserted by a unique note
 * property holding the interaction's id, and the association is HubSpot's default one (a PUT):
 * both are the same when repeated, so the discipline may retry them and a replay makes no second note.
 */
export function createEngagements(client: HubspotClient, settings: { engagementIdProperty: string }) {
  const { hubspot } = client;
  return {
    /** One note per interaction, on its contact (`customerId` is HubSpot's contact id); nothing for a customer HubSpot does not hold. */
    async recordEngagement(interaction: Interaction): Promise<void> {
      if (!CONTACT_ID.test(interaction.customerId)) return;
      const upserted = await client.write(
        'notes.batch.upsert',
        () =>
          hubspot.crm.objects.notes.batchApi.upsert({
            inputs: [{ id: interaction.id, idProperty: settings.engagementIdProperty, properties: { hs_timestamp: interaction.occurredAt.toISOString(), hs_note_body: noteBody(interaction) } }],
          }),
        true,
      );
      const noteId = upserted.results[0]?.id;
      if (!noteId) throw new Error('HubSpot answered the note upsert without the note');
      await client.write('associations.createDefault', () => hubspot.crm.associations.v4.basicApi.createDefault('notes', noteId, 'contacts', interaction.customerId), true);
    },
  };
}
