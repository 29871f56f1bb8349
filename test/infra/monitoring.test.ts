import { describe, expect, it } from 'vitest';
import { logicalIdOf, synthesize } from './synth-app.ts';

describe('monitoring', () => {
  const synth = synthesize();
  const { template, stack } = synth;
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  type Dimension = { Name: string; Value: unknown };
  type Metric = { MetricName?: string; Dimensions?: Dimension[] };
  /** The metrics an alarm watches, whether it names one metric or a metric-math list. */
  const metricsOf = (alarm: Record<string, unknown>): Metric[] => [
    alarm as Metric,
    ...((alarm.Metrics as { MetricStat?: { Metric: Metric } }[] | undefined) ?? []).flatMap((m) =>
      m.MetricStat ? [m.MetricStat.Metric] : [],
    ),
  ];
  const metricAlarm = (metricName: string, dimension: string, ref: unknown) =>
    alarms.find((a) =>
      metricsOf(a).some(
        (m) =>
          m.MetricName === metricName &&
          m.Dimensions?.some((d) => d.Name === dimension && JSON.stringify(d.Value) === JSON.stringify(ref)),
      ),
    );

  it('alarms on failed, timed-out and aborted imports', () => {
    const machine = { Ref: logicalIdOf(synth, stack.workflow.stateMachine) };
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      expect(metricAlarm(metric, 'StateMachineArn', machine), metric).toMatchObject({
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  it('alarms on errors and throttles of every function in the stack', () => {
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThanOrEqual(8);
    for (const id of functions) {
      expect(metricAlarm('Errors', 'FunctionName', { Ref: id }), id).toBeDefined();
      expect(metricAlarm('Throttles', 'FunctionName', { Ref: id }), id).toBeDefined();
    }
  });

  it('alarms when a manifest event could not be delivered to the trigger', () => {
    const queue = { 'Fn::GetAtt': [logicalIdOf(synth, stack.workflow.triggerDeadLetters), 'QueueName'] };
    expect(metricAlarm('ApproximateNumberOfMessagesVisible', 'QueueName', queue)).toBeDefined();
  });

  it('sends every alarm to the encrypted, TLS-only alarm topic', () => {
    const topic = { Ref: logicalIdOf(synth, stack.monitoring.alarmTopic) };
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([topic]);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: {
        'Fn::GetAtt': [logicalIdOf(synth, stack.monitoring.node.findChild('AlarmTopicKey') as never), 'Arn'],
      },
    });
    expect(template.findResources('AWS::SNS::Subscription')).toEqual({});
  });

  it('e-mails the alarms when alarmEmail is set', () => {
    synthesize({ alarmEmail: 'ops@example.org' }).template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
    });
  });

  it('has a dashboard', () => {
    expect(Object.keys(template.findResources('AWS::CloudWatch::Dashboard')).length).toBeGreaterThanOrEqual(
      1,
    );
  });
});
