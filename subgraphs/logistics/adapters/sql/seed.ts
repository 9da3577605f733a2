import { chunks } from '../../../shared/batch';
import type { ReturnLabel, Shipment, TrackingEvent } from '../../port';
import { fromShipment, type LogisticsDb } from './queries';

export interface LogisticsSeed {
  shipments: Shipment[];
  trackingEvents: TrackingEvent[];
  returnLabels: ReturnLabel[];
}

/** Writes demo data straight into the logistics tables (demo and tests only). */
export async function seedLogistics(db: LogisticsDb, data: LogisticsSeed): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const rows of chunks(data.shipments.map(fromShipment), 2_000)) await tx.insertInto('shipments').values(rows).execute();
    for (const rows of chunks(data.trackingEvents, 5_000)) await tx.insertInto('trackingEvents').values(rows).execute();
    for (const rows of chunks(data.returnLabels, 2_000)) await tx.insertInto('returnLabels').values(rows).execute();
  });
}

export async function truncateLogistics(db: LogisticsDb): Promise<void> {
  await db.deleteFrom('returnLabels').execute();
  await db.deleteFrom('trackingEvents').execute();
  await db.deleteFrom('shipments').execute();
}
