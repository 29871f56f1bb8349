import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { DefinitionBody, Fail, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { afterAll, describe, expect, it } from 'vitest';
import { createSearchClient } from '#domain/search/search-client.ts';
import { EvidenceStore } from '#infra/evidence-store/evidence-store.ts';
import { repoRoot } from '#infra/lambda/function-with-log-group.ts';
import { SeizureLakeChecks } from '#infra/nag/seizure-lake-checks.ts';
import { Search } from '#infra/search/search.ts';
import { searchIndexStates, searchStates } from '#infra/search/search-index-states.ts';
import { handleSetupEvent } from '../../functions/search-setup/search-setup-step.ts';

/** The search construct in a stack of its own, with the workflow's index states, synthesized without bundling. */
function synthesize() {
  const context = JSON.parse(fs.readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')).context;
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'seizure-lake-search-')),
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new Stack(app, 'SearchTest');
  const store = new EvidenceStore(stack, 'EvidenceStore', {
    objectLockMode: 'GOVERNANCE',
    objectLockRetentionDays: 1,
  });
  const duckdb = LayerVersion.fromLayerVersionArn(
    stack,
    'DuckDb',
    'arn:aws:lambda:eu-west-1:000000000000:layer:duckdb:1',
  );
  const search = new Search(stack, 'Search', { store, duckdb });
  new StateMachine(stack, 'Workflow', {
    definitionBody: DefinitionBody.fromChainable(
      searchIndexStates(stack, {
        indexFunction: search.indexFunction,
        onFailure: new Fail(stack, 'Import failed'),
      }),
    ),
  });
  return { app, stack, search, template: Template.fromStack(stack) };
}

const synth = synthesize();
const { template } = synth;
afterAll(() => fs.rmSync(synth.app.outdir, { recursive: true, force: true }));
const ref = (construct: { node: { defaultChild?: unknown } }) =>
  synth.stack.resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string;

describe('the search domain', () => {
  it('runs OpenSearch 2.19 (the version the mapping is tested on), upgraded in place, retained on deletion', () => {
    template.hasResource('AWS::OpenSearchService::Domain', {
      Properties: Match.objectLike({ EngineVersion: 'OpenSearch_2.19' }),
      UpdatePolicy: { EnableVersionUpgrade: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('is encrypted at rest with its own key and between nodes, HTTPS only with TLS 1.2+', () => {
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      EncryptionAtRestOptions: { Enabled: true, KmsKeyId: Match.anyValue() },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: Match.objectLike({
        EnforceHTTPS: true,
        TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10',
      }),
    });
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
    });
  });

  it('has fine-grained access control with the setup role as master, no internal users', () => {
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      AdvancedSecurityOptions: {
        Enabled: true,
        InternalUserDatabaseEnabled: false,
        MasterUserOptions: {
          MasterUserARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('SearchSetupFunctionRole'), 'Arn'] },
        },
      },
    });
  });

  it('admits only principals of this account, never anyone', () => {
    const domain = Object.values(template.findResources('AWS::OpenSearchService::Domain'))[0] as {
      Properties: {
        AccessPolicies: { Statement: { Principal: unknown; Action: unknown; Effect: string }[] };
      };
    };
    const statements = domain.Properties.AccessPolicies.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: 'es:ESHttp*' });
    expect(JSON.stringify(statements[0]?.Principal)).toMatch(/:root/);
    expect(JSON.stringify(statements)).not.toMatch(/"Principal":\{"AWS":"\*"\}|"Principal":"\*"/);
  });

  it('publishes audit, slow and application logs to CloudWatch, the audit log kept for ten years', () => {
    const logs = template.findResources('AWS::OpenSearchService::Domain');
    const options = (
      Object.values(logs)[0] as { Properties: { LogPublishingOptions: Record<string, { Enabled: boolean }> } }
    ).Properties.LogPublishingOptions;
    for (const kind of ['AUDIT_LOGS', 'SEARCH_SLOW_LOGS', 'INDEX_SLOW_LOGS', 'ES_APPLICATION_LOGS']) {
      expect(options[kind]?.Enabled, kind).toBe(true);
    }
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 3653 },
      DeletionPolicy: 'Retain',
    });
  });

  it('signs analysts in to Dashboards through Cognito: MFA, no self sign-up, no guests', () => {
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      CognitoOptions: Match.objectLike({ Enabled: true }),
    });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 14 }) },
    });
    template.hasResourceProperties('AWS::Cognito::IdentityPool', { AllowUnauthenticatedIdentities: false });
  });
});

describe('the deploy-time setup', () => {
  it('is a custom resource that installs the assets with the indexer role mapped, re-run when they change', () => {
    template.hasResourceProperties('Custom::SeizureLakeSearchSetup', {
      DomainEndpoint: { 'Fn::GetAtt': [ref(synth.search.domain), 'DomainEndpoint'] },
      AssetHash: Match.stringLikeRegexp('^[0-9a-f]{16}$'),
      IndexerRoleArns: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('SearchIndexFunctionRole'), 'Arn'] }],
      DashboardsUserRoleArns: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('DashboardsUserRole'), 'Arn'] }],
    });
  });

  it('does nothing on Delete: the domain and its indices are retained', async () => {
    const unreachable = createSearchClient({ url: 'http://127.0.0.1:9' });
    const response = await handleSetupEvent(
      { RequestType: 'Delete', PhysicalResourceId: 'seizure-lake-search-setup', ResourceProperties: {} },
      unreachable,
    );
    expect(response).toEqual({ PhysicalResourceId: 'seizure-lake-search-setup' });
    await unreachable.close();
  });
});

describe('the index function and the index states', () => {
  it('reads the lake, writes reports, knows the domain endpoint and has DuckDB', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('indexes a seizure'),
      Timeout: 900,
      Layers: ['arn:aws:lambda:eu-west-1:000000000000:layer:duckdb:1'],
      Environment: {
        Variables: Match.objectLike({
          OPENSEARCH_ENDPOINT: { 'Fn::GetAtt': [ref(synth.search.domain), 'DomainEndpoint'] },
          LAKE_BUCKET: Match.anyValue(),
          REPORTS_BUCKET: Match.anyValue(),
        }),
      },
    });
  });

  it('prepare, index each month (inline Map), check; domain errors are never retried', () => {
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as {
      Properties: { DefinitionString: unknown };
    }[];
    const definition = JSON.parse(
      (synth.stack.resolve(machine?.Properties.DefinitionString) as { 'Fn::Join': [string, unknown[]] })[
        'Fn::Join'
      ][1]
        .map((p) => (typeof p === 'string' ? p : 'X'))
        .join(''),
    );
    expect(definition.StartAt).toBe(searchStates.prepare);
    expect(definition.States[searchStates.prepare].Next).toBe(searchStates.partitions);
    const map = definition.States[searchStates.partitions];
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.search.prepared.months',
      MaxConcurrency: 4,
      Next: searchStates.complete,
    });
    expect(map.ItemProcessor.StartAt).toBe(searchStates.partition);
    for (const state of [
      definition.States[searchStates.prepare],
      map.ItemProcessor.States[searchStates.partition],
      definition.States[searchStates.complete],
    ]) {
      expect(state.Retry[0]).toMatchObject({
        ErrorEquals: expect.arrayContaining(['IndexIncompleteError', 'SearchSetupError']),
        MaxAttempts: 0,
      });
    }
    expect(definition.States[searchStates.complete].Catch[0].Next).toBe('Import failed');
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the search construct', () => {
    synth.app.synth();
    const report = new SeizureLakeChecks().validateScope(synth.search);
    expect(
      report.violations.map(
        (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });
});
