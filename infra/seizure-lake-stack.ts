import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Catalog } from './catalog/catalog.ts';
import { EvidenceStore } from './evidence-store/evidence-store.ts';
import { ImportWorkflow } from './import-workflow/import-workflow.ts';
import { DuckDbLayer } from './lambda/duckdb-layer.ts';
import { Monitoring } from './monitoring/monitoring.ts';
import { Search } from './search/search.ts';
import type { SeizureLakeSettings } from './settings.ts';

export interface SeizureLakeStackProps extends StackProps {
  settings: SeizureLakeSettings;
}

const MiB = 1024 * 1024;

/**
 * The whole cloud system in one stack: evidence store, catalog, search, import workflow, monitoring. One stack and
 * not a storage/processing pair: the stateful resources (buckets, keys, logs) are retained on deletion and
 * the stack has termination protection, while cross-stack exports would pin every bucket and key the
 * functions use (an export in use can be neither changed nor removed) and split each grant across two
 * templates.
 */
export class SeizureLakeStack extends Stack {
  readonly store: EvidenceStore;
  readonly catalog: Catalog;
  readonly workflow: ImportWorkflow;
  readonly search: Search;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: SeizureLakeStackProps) {
    super(scope, id, {
      description: 'seizure-lake: seized communications as searchable, traceable evidence',
      terminationProtection: true,
      ...props,
    });
    const { settings } = props;
    this.store = new EvidenceStore(this, 'EvidenceStore', {
      objectLockMode: settings.objectLockMode,
      objectLockRetentionDays: settings.objectLockRetentionDays,
    });
    this.catalog = new Catalog(this, 'Catalog', {
      store: this.store,
      bytesScannedCutoffGb: settings.athenaBytesScannedCutoffGb,
    });
    // Native DuckDB (~70 MB) once, for the functions that read or write Parquet.
    const duckdb = new DuckDbLayer(this, 'DuckDbLayer');
    this.search = new Search(this, 'Search', { store: this.store, duckdb });
    this.workflow = new ImportWorkflow(this, 'ImportWorkflow', {
      store: this.store,
      mapMaxConcurrency: settings.mapMaxConcurrency,
      chunkBytes: settings.chunkMb * MiB,
      normalizeMemoryMb: settings.normalizeMemoryMb,
      finalizeMapMaxConcurrency: settings.finalizeMapMaxConcurrency,
      finalizeMemoryMb: settings.finalizeMemoryMb,
      sliceBytes: settings.finalizeSliceMb * MiB,
      duckdb,
      indexFunction: this.search.indexFunction,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      workflow: this.workflow,
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
    });

    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output('LandingBucketName', this.store.landing.bucketName, 'Upload evidence and manifests here');
    output('LakeBucketName', this.store.lake.bucketName, 'The Parquet lake');
    output(
      'QuarantineBucketName',
      this.store.quarantine.bucketName,
      'Rejected records and dropped duplicates',
    );
    output('ReportsBucketName', this.store.reports.bucketName, 'Import reports, plans and map run results');
    output('QueryResultsBucketName', this.store.queryResults.bucketName, 'Athena query results (30 days)');
    output('ImportStateMachineArn', this.workflow.stateMachine.stateMachineArn, 'The import state machine');
    output('GlueDatabaseName', this.catalog.databaseName, 'Glue database of the messages table and views');
    output('AthenaWorkGroupName', this.catalog.workGroupName, 'Athena workgroup analysts query in');
    output('AlarmTopicArn', this.monitoring.alarmTopic.topicArn, 'Subscribe here to receive alarms');
    output(
      'SearchDomainEndpoint',
      this.search.domain.domainEndpoint,
      'The OpenSearch domain (HTTPS, IAM-signed)',
    );
    output(
      'DashboardsUrl',
      `https://${this.search.domain.domainEndpoint}/_dashboards`,
      'OpenSearch Dashboards',
    );
    output('DashboardsUserPoolId', this.search.userPool.userPoolId, 'Add analysts to this Cognito user pool');
  }
}
