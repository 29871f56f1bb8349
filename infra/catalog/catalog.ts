import { Aws, CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { messagesPrefix } from '#domain/import/import-layout.ts';
import { glueColumns, glueType } from '#domain/schema/glue-types.ts';
import { messageFields, partitionColumns } from '#domain/schema/message-schema.ts';
import { lakeViews } from '#domain/sql/lake-views.ts';
import { caseWorkGroupName } from '../access/case-names.ts';
import type { EvidenceStore } from '../evidence-store/evidence-store.ts';
import { FunctionWithLogGroup } from '../lambda/function-with-log-group.ts';
import {
  acknowledgeRule,
  acknowledgeWildcards,
  bucketGrantReasons,
  objectsOf,
  versionsOf,
} from '../nag/seizure-lake-checks.ts';
import { namedQueries } from './named-queries.ts';

export interface CatalogProps {
  store: EvidenceStore;
  /** Athena refuses a query that would scan more, in GB (10^9 bytes). */
  bytesScannedCutoffGb: number;
}

export const messagesTableName = 'messages';
/** Glue comments are limited to 255 characters. */
const comment = (text: string) => (text.length > 255 ? `${text.slice(0, 252)}...` : text);

/**
 * Partition projection of the `messages` table: Athena computes the partitions from the query instead of
 * reading them from Glue, so an import never has to register a partition. `seizure_id` is injected (every
 * query names its seizure, which also keeps every query inside one seizure's files) and `sent_month` is a
 * month range from 1990 to now.
 */
export function partitionProjection(lakeBucketName: string): Record<string, string> {
  const [seizure, month] = partitionColumns;
  return {
    'projection.enabled': 'true',
    [`projection.${seizure}.type`]: 'injected',
    [`projection.${month}.type`]: 'date',
    [`projection.${month}.format`]: 'yyyy-MM',
    [`projection.${month}.range`]: '1990-01,NOW',
    [`projection.${month}.interval`]: '1',
    [`projection.${month}.interval.unit`]: 'MONTHS',
    'storage.location.template': `s3://${lakeBucketName}/${messagesPrefix}${seizure}=\${${seizure}}/${month}=\${${month}}/`,
  };
}

/**
 * What analysts query: the Glue database with the `messages` table over the lake (Parquet, partition
 * projection), the views of lakeViews (created by Athena itself at deploy time), an Athena workgroup that
 * enforces its settings (KMS-encrypted results in the query results bucket, a bytes-scanned limit per
 * query, engine v3) and the saved queries analysts start from.
 *
 * Beside it, the case database `<database>_cases`: the same `messages` table over the same files and the
 * same views, but without partition projection, because Athena does not apply Lake Formation data filters
 * to a projected table. Case analysts query there, each through their case's row filter (CaseAccess); its
 * `seizure_id` is an ordinary column (the Parquet files carry it), so no query has to name a seizure.
 *
 * Neither database gives new tables to IAMAllowedPrincipals (`CreateTableDefaultPermissions: []`), whatever
 * the account's Lake Formation defaults: their tables are reached through Lake Formation grants only.
 */
export class Catalog extends Construct {
  readonly database: CfnDatabase;
  readonly databaseName: string;
  readonly table: CfnTable;
  readonly caseDatabase: CfnDatabase;
  readonly caseDatabaseName: string;
  readonly caseTable: CfnTable;
  readonly workGroup: CfnWorkGroup;
  readonly workGroupName: string;
  readonly bytesScannedCutoffGb: number;
  readonly viewsFunction: FunctionWithLogGroup;
  /** The custom resources that create the views, in the main and in the case database. */
  readonly views: CustomResource;
  readonly caseViews: CustomResource;
  readonly #store: EvidenceStore;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { store } = props;
    const baseName = stack.stackName
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_');
    this.databaseName = baseName;
    this.caseDatabaseName = `${baseName}_cases`;
    this.workGroupName = baseName.replaceAll('_', '-');
    this.bytesScannedCutoffGb = props.bytesScannedCutoffGb;

    const database = (id: string, name: string, description: string) =>
      new CfnDatabase(this, id, {
        catalogId: Aws.ACCOUNT_ID,
        // No IAMAllowedPrincipals grant on the tables and views created in it: Lake Formation decides.
        databaseInput: { name, description, createTableDefaultPermissions: [] },
      });
    const messagesTable = (
      id: string,
      db: CfnDatabase,
      databaseName: string,
      input: Partial<CfnTable.TableInputProperty>,
    ) => {
      const table = new CfnTable(this, id, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName,
        tableInput: {
          name: messagesTableName,
          tableType: 'EXTERNAL_TABLE',
          ...input,
          parameters: {
            classification: 'parquet',
            EXTERNAL: 'TRUE',
            'parquet.compression': 'ZSTD',
            ...input.parameters,
          },
          storageDescriptor: parquetStorage(
            `s3://${store.lake.bucketName}/${messagesPrefix}`,
            input.storageDescriptor,
          ),
        },
      });
      table.addResourceDependency(db);
      return table;
    };

    this.database = database(
      'Database',
      this.databaseName,
      'seizure-lake: canonical messages of every imported seizure, and views over them',
    );
    const [seizureColumn, monthColumn] = partitionColumns;
    this.table = messagesTable('MessagesTable', this.database, this.databaseName, {
      description: 'One row per message found in the evidence (the canonical message of DESIGN.md)',
      parameters: partitionProjection(store.lake.bucketName),
      partitionKeys: [
        { name: seizureColumn, type: 'string', comment: 'the seizure (partition, injected projection)' },
        { name: monthColumn, type: 'string', comment: 'month of sent_at in UTC, yyyy-MM (partition)' },
      ],
      storageDescriptor: { columns: columnsOf(glueColumns()) },
    });

    this.caseDatabase = database(
      'CaseDatabase',
      this.caseDatabaseName,
      'seizure-lake: the messages and views of every seizure, read per case through Lake Formation row filters',
    );
    // Every field, seizure_id included, from the files themselves: no partitions, so no projection.
    this.caseTable = messagesTable('CaseMessagesTable', this.caseDatabase, this.caseDatabaseName, {
      description: 'The messages table without partition projection, for per-case row filters',
      storageDescriptor: {
        columns: columnsOf(
          messageFields.map((f) => ({ name: f.name, type: glueType(f.type), comment: f.doc })),
        ),
      },
    });

    this.#store = store;
    this.workGroup = this.newWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'seizure-lake analysts: encrypted results, a scan limit per query, settings enforced',
      resultsPrefix: 'athena/',
    });

    for (const [index, query] of namedQueries.entries()) {
      const named = new CfnNamedQuery(this, `NamedQuery${index}`, {
        name: query.name,
        description: query.description,
        database: this.databaseName,
        workGroup: this.workGroupName,
        queryString: query.sql,
      });
      named.addResourceDependency(this.workGroup);
      named.addResourceDependency(this.database);
    }

    const { fn, provider } = this.viewsProvider(store);
    this.viewsFunction = fn;
    const views = (id: string, databaseName: string, table: CfnTable) => {
      const resource = new CustomResource(this, id, {
        serviceToken: provider.serviceToken,
        resourceType: 'Custom::AthenaViews',
        properties: {
          Database: databaseName,
          WorkGroup: this.workGroupName,
          Views: lakeViews.map((v) => ({ name: v.name, sql: v.sql })),
        },
      });
      resource.node.addDependency(table, this.workGroup);
      return resource;
    };
    this.views = views('Views', this.databaseName, this.table);
    this.caseViews = views('CaseViews', this.caseDatabaseName, this.caseTable);
  }

  /**
   * The workgroup of one case: the main workgroup's enforced settings, results under `cases/<case>/` of the
   * query results bucket. Its query history and results are the case's alone: a workgroup shared by
   * all cases would let one case's analysts read another's query texts (GetQueryExecution) and results.
   */
  caseWorkGroup(scope: Construct, caseId: string): { workGroup: CfnWorkGroup; resultsPrefix: string } {
    const resultsPrefix = `cases/${caseId}/`;
    const workGroup = this.newWorkGroup(scope, 'WorkGroup', {
      name: caseWorkGroupName(this.workGroupName, caseId),
      description: `seizure-lake analysts of case ${caseId}: their own query history and results`,
      resultsPrefix,
    });
    return { workGroup, resultsPrefix };
  }

  private newWorkGroup(
    scope: Construct,
    id: string,
    props: { name: string; description: string; resultsPrefix: string },
  ): CfnWorkGroup {
    const store = this.#store;
    return new CfnWorkGroup(scope, id, {
      name: props.name,
      description: props.description,
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: this.bytesScannedCutoffGb * 1_000_000_000,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        requesterPaysEnabled: false,
        resultConfiguration: {
          outputLocation: `s3://${store.queryResults.bucketName}/${props.resultsPrefix}`,
          expectedBucketOwner: Aws.ACCOUNT_ID,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: store.dataKey.keyArn },
        },
      },
    });
  }

  /**
   * The views as a custom resource that runs `CREATE OR REPLACE VIEW` in the workgroup at deploy time.
   * Athena derives each view's column types from its SQL; a Glue table written by hand would have to
   * repeat them in Presto's encoding and would go stale ("view is stale") the day the SQL or the table
   * changes. The SQL is lakeViews', the same that DuckDB runs locally. One function for both databases.
   */
  private viewsProvider(store: EvidenceStore): { fn: FunctionWithLogGroup; provider: Provider } {
    const stack = Stack.of(this);
    const fn = new FunctionWithLogGroup(this, 'ViewsFunction', {
      folder: 'athena-views',
      description: 'seizure-lake deploy: creates the Athena views over the messages table',
      memorySize: 256,
      timeout: Duration.minutes(5),
    });
    const workGroupArn = stack.formatArn({
      service: 'athena',
      resource: 'workgroup',
      resourceName: this.workGroupName,
    });
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution'],
        resources: [workGroupArn],
      }),
    );
    const glue = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, ...(resourceName ? { resourceName } : {}) });
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'glue:GetDatabase',
          'glue:GetTable',
          'glue:CreateTable',
          'glue:UpdateTable',
          'glue:DeleteTable',
        ],
        resources: [
          glue('catalog'),
          ...[this.databaseName, this.caseDatabaseName].flatMap((db) => [
            glue('database', db),
            glue('table', `${db}/${messagesTableName}`),
            ...lakeViews.map((v) => glue('table', `${db}/${v.name}`)),
          ]),
        ],
      }),
    );
    // Athena writes each statement's (empty) result to the workgroup's output location.
    store.queryResults.grantReadWrite(fn);
    acknowledgeWildcards(fn.role!, objectsOf(store.queryResults), ...bucketGrantReasons);

    const provider = new Provider(this, 'ViewsProvider', {
      onEventHandler: fn,
      logGroup: new LogGroup(this, 'ViewsProviderLogs', {
        retention: RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    acknowledgeWildcards(provider, versionsOf(fn));
    acknowledgeRule(
      provider,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "The custom resource Provider framework's own function (aws-cdk-lib/custom-resources) comes with this managed policy; it only writes its logs.",
    );
    return { fn, provider };
  }
}

const columnsOf = (columns: readonly { name: string; type: string; comment: string }[]) =>
  columns.map((c) => ({ name: c.name, type: c.type, comment: comment(c.comment) }));

/** Parquet as DuckDB writes it, read with Hive's Parquet SerDe, at `location`. */
function parquetStorage(
  location: string,
  extra: CfnTable.TableInputProperty['storageDescriptor'],
): CfnTable.StorageDescriptorProperty {
  return {
    ...(extra as CfnTable.StorageDescriptorProperty),
    location,
    inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    serdeInfo: {
      serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      parameters: { 'serialization.format': '1' },
    },
  };
}
