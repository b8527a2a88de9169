// Elastic Common Schema lines for Logstash pipelines that expect ECS. @elastic/ecs-pino-format writes
// the ECS frame (`@timestamp`, `log.level`, `message`, `ecs.version`, `service.*`); this moves our own
// fields where ECS puts custom data: the run id under `labels`, everything else under one custom
// namespace, `gbsync`, so no field of ours can collide with an ECS field of another type.
import { ecsFormat } from '@elastic/ecs-pino-format';
import type { LoggerOptions } from 'pino';
import { VERSION } from '../version.js';

export const ECS_NAMESPACE = 'gbsync';

type Fields = Record<string, unknown>;

const OUTCOME: Record<string, string> = { applied: 'success', failed: 'failure', planned: 'unknown' };

export function ecsLoggerOptions(): LoggerOptions {
  const ecs = ecsFormat({
    apmIntegration: false,
    serviceName: 'growthbook-ldap-sync',
    serviceVersion: VERSION,
  });
  const bindings = ecs.formatters?.bindings ?? ((b: Fields) => b);
  const log = ecs.formatters?.log ?? ((o: Fields) => o);
  return {
    ...ecs,
    formatters: {
      ...ecs.formatters,
      bindings: (fields) => {
        const { sync_run_id: runId, ...rest } = fields;
        return bindings({ ...rest, ...(runId !== undefined ? { 'labels.sync_run_id': runId } : {}) });
      },
      log: (fields) => log(toEcsFields(fields)),
    },
  };
}

function toEcsFields(fields: Fields): Fields {
  const { err, error, ...custom } = fields;
  const out: Fields = {};
  if (Object.keys(custom).length > 0) out[ECS_NAMESPACE] = custom;
  const failure = err ?? error;
  if (failure !== undefined) {
    out.error =
      failure instanceof Error
        ? { type: failure.name, message: failure.message, stack_trace: failure.stack }
        : { message: String(failure) };
  }
  // An audit line is an IAM change event in ECS terms; the facts stay under the namespace as well.
  if (custom.audit === true) {
    out['event.kind'] = 'event';
    out['event.category'] = ['iam'];
    out['event.type'] = ['change'];
    out['event.action'] = String(custom.kind);
    out['event.outcome'] = OUTCOME[String(custom.result)] ?? 'unknown';
  }
  return out;
}
