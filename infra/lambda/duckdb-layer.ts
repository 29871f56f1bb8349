import path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { duckDbLayerVersions, packageDuckDbLayer } from '../../layers/duckdb/package-layer.ts';
import { functionArchitecture, functionRuntime, repoRoot } from './function-with-log-group.ts';

/**
 * DuckDB's Node API and its linux-x64 native binding as one Lambda layer (see layers/duckdb/README.md).
 * Packaged at synth by copying from node_modules (local bundling; the Docker image is never used), under a
 * hash of the package versions, so an unchanged DuckDB is neither copied again nor published again.
 */
export class DuckDbLayer extends LayerVersion {
  constructor(scope: Construct, id: string) {
    const versions = duckDbLayerVersions();
    super(scope, id, {
      description: `DuckDB ${versions['@duckdb/node-api']} for Node.js on Lambda (linux-x64)`,
      compatibleRuntimes: [functionRuntime],
      compatibleArchitectures: [functionArchitecture],
      license: 'MIT',
      code: Code.fromAsset(path.join(repoRoot, 'layers', 'duckdb'), {
        assetHashType: AssetHashType.CUSTOM,
        assetHash: Object.entries(versions)
          .map(([pkg, version]) => `${pkg}@${version}`)
          .join(','),
        bundling: {
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
          local: {
            tryBundle(outputDir: string) {
              packageDuckDbLayer(outputDir);
              return true;
            },
          },
        },
      }),
    });
  }
}
