import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { type IRole, Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { CaseAccess } from './access/case-access.ts';
import { LakeGovernance } from './access/lake-governance.ts';
import { AuditTrail } from './audit/audit-trail.ts';
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
 * The whole cloud system in one stack: evidence store, catalog, search, import workflow, monitoring, Lake
 * Formation governance with one CaseAccess per declared case, and the audit trail. One stack and
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
  readonly governance: LakeGovernance;
  readonly cases: CaseAccess[];
  readonly audit: AuditTrail;

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
      verifyMapMaxConcurrency: settings.verifyMapMaxConcurrency,
      verifyMemoryMb: settings.verifyMemoryMb,
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

    this.governance = new LakeGovernance(this, 'LakeGovernance', {
      store: this.store,
      catalog: this.catalog,
      adminArns: settings.dataLakeAdminArns,
      manageSettings: settings.manageDataLakeSettings,
    });
    // One IRole per ARN, so a role cleared for several cases collects its statements in one policy. Ids
    // follow the ARN and the case id, never a position in the list: a Lake Formation grant whose logical id
    // changes is replaced, and the replacement's delete revokes the very permission the new one granted.
    const roles = new Map<string, IRole>();
    const role = (arn: string) => {
      const id = `Analyst-${arn.split(':')[4]}-${arn.split('/').pop()}`;
      if (!roles.has(arn)) roles.set(arn, Role.fromRoleArn(this, id, arn, { mutable: true }));
      return roles.get(arn) as IRole;
    };
    this.governance.grantAllCases(settings.allCasesRoleArns.map(role));
    this.cases = settings.cases.map(
      (c) =>
        new CaseAccess(this, `Case-${c.caseId}`, {
          caseId: c.caseId,
          roles: c.roleArns.map(role),
          searchBackendRoles: c.searchBackendRoles,
          store: this.store,
          catalog: this.catalog,
          search: this.search,
          governance: this.governance,
        }),
    );
    this.audit = new AuditTrail(this, 'AuditTrail', {
      accessLogs: this.store.accessLogs,
      // Evidence and lake objects: reads that bypass Athena and OpenSearch are recorded too.
      dataEventBuckets: [this.store.landing, this.store.lake],
      retentionDays: settings.auditRetentionDays,
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
    output(
      'CaseDatabaseName',
      this.catalog.caseDatabaseName,
      'Glue database case analysts query (through their case workgroup <AthenaWorkGroupName>-case-<case>)',
    );
    output('AuditTrailBucketName', this.audit.bucket.bucketName, 'CloudTrail audit log (Object Lock)');
    output('SearchAuditLogGroupName', this.search.auditLogs.logGroupName, 'OpenSearch audit log');
  }
}
