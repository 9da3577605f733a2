import DataLoader from 'dataloader';
import type { LogisticsSource, ReturnLabel, Shipment, TrackingEvent } from './port';

/** One set per request: every lookup in a request is batched into one backend call per kind. */
export function createLogisticsLoaders(source: LogisticsSource) {
  return {
    shipment: new DataLoader<string, Shipment | null>((ids) => source.getShipments(ids)),
    shipmentByTrackingNumber: new DataLoader<string, Shipment | null>((numbers) => source.getShipmentsByTrackingNumber(numbers)),
    shipmentsByOrder: new DataLoader<string, Shipment[]>((ids) => source.listShipmentsByOrder(ids)),
    trackingEvents: new DataLoader<string, TrackingEvent[]>((ids) => source.listTrackingEvents(ids)),
    returnLabel: new DataLoader<string, ReturnLabel | null>((ids) => source.getReturnLabels(ids)),
    returnLabelsByReturn: new DataLoader<string, ReturnLabel[]>((ids) => source.listReturnLabelsByReturn(ids)),
  };
}

export type LogisticsLoaders = ReturnType<typeof createLogisticsLoaders>;
