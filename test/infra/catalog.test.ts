import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { glueColumns, glueType } from '#domain/schema/glue-types.ts';
import { messageFields } from '#domain/schema/message-schema.ts';
import { lakeViews } from '#domain/sql/lake-views.ts';
import { namedQueries } from '#infra/catalog/named-queries.ts';
import { actionsOf, logicalIdOf, statementsOfRole, synthesize } from './synth-app.ts';

describe('catalog', () => {
  const synth = synthesize({ athenaBytesScannedCutoffGb: '25' });
  const { template, stack } = synth;
  const lakeRef = { Ref: logicalIdOf(synth, stack.store.lake) };
  /** The table input of the `messages` table of a database. */
  const messagesOf = (database: string) =>
    Object.values(template.findResources('AWS::Glue::Table')).find(
      (t) => t.Properties.DatabaseName === database && t.Properties.TableInput.Name === 'messages',
    )?.Properties.TableInput;

  it('creates the Glue database named after the stack', () => {
    template.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: Match.objectLike({ Name: 'seizure_lake' }),
    });
  });

  it('defines messages over the lake as Parquet with the schema of the domain library', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'seizure_lake',
      TableInput: Match.objectLike({
        Name: 'messages',
        TableType: 'EXTERNAL_TABLE',
        StorageDescriptor: Match.objectLike({
          Location: { 'Fn::Join': ['', ['s3://', lakeRef, '/messages/']] },
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          SerdeInfo: Match.objectLike({
            SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
          }),
        }),
      }),
    });
    const table = messagesOf('seizure_lake');
    expect(
      table.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => [c.Name, c.Type]),
    ).toEqual(glueColumns().map((c) => [c.name, c.type]));
  });

  it('projects the partitions: seizure_id injected, sent_month a month range, on the lake layout', () => {
    const table = messagesOf('seizure_lake');
    expect(table.PartitionKeys.map((k: { Name: string; Type: string }) => [k.Name, k.Type])).toEqual([
      ['seizure_id', 'string'],
      ['sent_month', 'string'],
    ]);
    expect(table.Parameters).toMatchObject({
      classification: 'parquet',
      'projection.enabled': 'true',
      'projection.seizure_id.type': 'injected',
      'projection.sent_month.type': 'date',
      'projection.sent_month.format': 'yyyy-MM',
      'projection.sent_month.range': '1990-01,NOW',
      'projection.sent_month.interval': '1',
      'projection.sent_month.interval.unit': 'MONTHS',
      // Athena's own placeholders, escaped: not template literal substitutions.
      'storage.location.template': {
        'Fn::Join': [
          '',
          ['s3://', lakeRef, `/messages/seizure_id=\${seizure_id}/sent_month=\${sent_month}/`],
        ],
      },
    });
  });

  it('gives the case database its own messages table over the same files, every field a column, no partitions to project', () => {
    const main = messagesOf('seizure_lake');
    const cases = messagesOf('seizure_lake_cases');
    // Athena does not apply Lake Formation data filters to a table with partition projection.
    expect(cases.PartitionKeys).toBeUndefined();
    expect(Object.keys(cases.Parameters).some((k) => k.startsWith('projection.'))).toBe(false);
    expect(cases.StorageDescriptor.Location).toEqual(main.StorageDescriptor.Location);
    expect(cases.StorageDescriptor.SerdeInfo).toEqual(main.StorageDescriptor.SerdeInfo);
    expect(
      cases.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => [c.Name, c.Type]),
    ).toEqual(messageFields.map((f) => [f.name, glueType(f.type)]));
    expect(cases.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toContain('case_id');
  });

  it('enforces the workgroup settings: KMS-encrypted results, a scan limit per query, engine v3', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'seizure-lake',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 25_000_000_000,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: {
            'Fn::Join': ['', ['s3://', { Ref: logicalIdOf(synth, stack.store.queryResults) }, '/athena/']],
          },
          ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
          EncryptionConfiguration: {
            EncryptionOption: 'SSE_KMS',
            KmsKey: { 'Fn::GetAtt': [logicalIdOf(synth, stack.store.dataKey), 'Arn'] },
          },
        },
      }),
    });
  });

  it('saves the queries analysts start from in the workgroup, each scoped to one seizure', () => {
    const saved = Object.values(template.findResources('AWS::Athena::NamedQuery')).map((q) => q.Properties);
    expect(saved.map((q) => q.Name)).toEqual(namedQueries.map((q) => q.name));
    for (const q of saved) {
      expect(q).toMatchObject({ Database: 'seizure_lake', WorkGroup: 'seizure-lake' });
      expect(q.QueryString).toMatch(/seizure_id = \?/);
    }
  });

  it('creates the views of the domain library through Athena at deploy time, in both databases', () => {
    for (const database of ['seizure_lake', 'seizure_lake_cases'])
      template.hasResourceProperties('Custom::AthenaViews', {
        Database: database,
        WorkGroup: 'seizure-lake',
        Views: lakeViews.map((v) => ({ name: v.name, sql: v.sql })),
      });
  });

  it('lets the views function run queries in this workgroup only, and touch only the catalog objects it manages', () => {
    const statements = statementsOfRole(synth, logicalIdOf(synth, stack.catalog.viewsFunction.role!));
    const athena = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('athena:')));
    expect(athena).toHaveLength(1);
    expect(JSON.stringify(athena[0]?.Resource)).toContain(':workgroup/seizure-lake');
    const glue = statements.find((s) => actionsOf(s).some((a) => a.startsWith('glue:')));
    const resources = JSON.stringify(glue?.Resource);
    for (const database of ['seizure_lake', 'seizure_lake_cases'])
      for (const name of ['messages', ...lakeViews.map((v) => v.name)])
        expect(resources).toContain(`:table/${database}/${name}"`);
    expect(resources).not.toMatch(/table\/seizure_lake(_cases)?\/\*/);
  });
});
