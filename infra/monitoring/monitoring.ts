import { Duration, Stack } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { DefaultDashboardFactory, MonitoringFacade, SnsAlarmActionStrategy } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import type { ImportWorkflow } from '../import-workflow/import-workflow.ts';
import { FunctionWithLogGroup, metricsNamespace } from '../lambda/function-with-log-group.ts';

export interface MonitoringProps {
  workflow: ImportWorkflow;
  /** Where alarms are e-mailed; without it the topic has no subscription (subscribe later as you like). */
  alarmEmail?: string;
}

/**
 * Alarms and a dashboard (cdk-monitoring-constructs): a failed, timed-out or aborted import, an error or
 * a throttle in any function of the stack, a manifest event the trigger could not deliver. Every alarm notifies one SNS topic
 * (KMS-encrypted, TLS-only), e-mailed to `alarmEmail` when set.
 */
export class Monitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly facade: MonitoringFacade;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const prefix = Stack.of(this).stackName;
    const { workflow } = props;

    const key = new Key(this, 'AlarmTopicKey', {
      description: 'seizure-lake: encrypts the alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch publishes alarm notifications to the encrypted topic.
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: `${prefix} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: prefix,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: this.alarmTopic }),
        datapointsToAlarm: 1,
        evaluationPeriods: 1,
      },
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: prefix,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });

    this.facade.addLargeHeader('seizure-lake: imports').monitorStepFunction({
      stateMachine: workflow.stateMachine,
      humanReadableName: 'Import state machine',
      alarmFriendlyName: 'Imports',
      addFailedExecutionCountAlarm: { Failed: { maxErrorCount: 0 } },
      addTimedOutExecutionCountAlarm: { TimedOut: { maxErrorCount: 0 } },
      addAbortedExecutionCountAlarm: { Aborted: { maxErrorCount: 0 } },
    });

    const custom = (metricName: string, service: string, label: string) =>
      new Metric({
        namespace: metricsNamespace,
        metricName,
        dimensionsMap: { service },
        statistic: 'Sum',
        period: Duration.minutes(5),
        label,
      });
    this.facade.monitorCustom({
      humanReadableName: 'Import throughput',
      alarmFriendlyName: 'ImportThroughput',
      metricGroups: [
        {
          title: 'Records',
          metrics: [
            custom('RecordsRead', 'normalize', 'read'),
            custom('MessagesStaged', 'normalize', 'staged'),
            custom('RecordsRejected', 'normalize', 'rejected (quarantined)'),
            custom('MessagesWritten', 'finalize', 'written to the lake'),
            custom('DuplicatesDropped', 'finalize', 'duplicates dropped'),
          ],
        },
        {
          title: 'Imports',
          metrics: [
            custom('ImportsStarted', 'trigger', 'started'),
            custom('DuplicateTriggers', 'trigger', 'duplicate manifest events'),
            custom('ImportsSucceeded', 'finalize', 'succeeded'),
            custom('ImportsFailed', 'record-failure', 'failed'),
          ],
        },
      ],
    });

    this.facade.addLargeHeader('seizure-lake: functions');
    // Every function of the stack, found rather than listed, so a function added later cannot go unwatched
    // (this includes the custom resource framework's function, which CDK creates).
    const functions = Stack.of(this)
      .node.findAll()
      .filter((c): c is LambdaFunction => c instanceof LambdaFunction);
    for (const [index, fn] of functions.entries()) {
      const name =
        fn instanceof FunctionWithLogGroup ? fn.folder : `${fn.node.scope?.node.id ?? 'function'}-${index}`;
      this.facade.monitorLambdaFunction({
        lambdaFunction: fn,
        humanReadableName: `${name} function`,
        alarmFriendlyName: `Function-${name}`,
        addFaultCountAlarm: { Errors: { maxErrorCount: 0 } },
        addThrottlesCountAlarm: { Throttles: { maxErrorCount: 0 } },
      });
    }

    this.facade.monitorSqsQueue({
      queue: workflow.triggerDeadLetters,
      humanReadableName: 'Undelivered manifest events',
      alarmFriendlyName: 'TriggerDeadLetters',
      addQueueMaxSizeAlarm: { Undelivered: { maxMessageCount: 0 } },
    });
  }
}
