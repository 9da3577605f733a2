// The first import of every entry point: tracing starts (when configured) before the modules it patches load.
import { startTelemetry } from './telemetry';

startTelemetry();
