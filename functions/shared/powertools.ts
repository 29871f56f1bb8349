import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The one Logger, Metrics and Tracer of a function, created once per process. The service name
 * (POWERTOOLS_SERVICE_NAME, the handler's name) and the metrics namespace (POWERTOOLS_METRICS_NAMESPACE)
 * come from the environment the house construct sets; outside Lambda the tracer is off.
 *
 * What is logged: ids (seizure, import, chunk), counts, step names and error messages. Never message bodies,
 * evidence bytes, object keys of evidence files or decryption keys.
 */
export const logger = new Logger();
export const metrics = new Metrics();
export const tracer = new Tracer();
