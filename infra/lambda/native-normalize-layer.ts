import path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import {
  nativeNormalizeLayerHash,
  packageNativeNormalizeLayer,
} from '../../layers/native-normalize/package-layer.ts';
import { functionArchitecture, functionRuntime, repoRoot } from './function-with-log-group.ts';

/**
 * The normalize step's native fast path (layers/native-normalize, built by `npm run build:native` for x86_64
 * Linux, glibc 2.34 at most, as Amazon Linux 2023 has) as a Lambda layer. Packaged at synth by copying the
 * built addon (local bundling; the Docker image is never used), under the addon's hash.
 */
export class NativeNormalizeLayer extends LayerVersion {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      description: 'seizure-lake native normalize (Rust addon for Node.js, linux-x64)',
      compatibleRuntimes: [functionRuntime],
      compatibleArchitectures: [functionArchitecture],
      license: 'Apache-2.0',
      code: Code.fromAsset(path.join(repoRoot, 'layers', 'native-normalize', 'src'), {
        assetHashType: AssetHashType.CUSTOM,
        assetHash: nativeNormalizeLayerHash(),
        bundling: {
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
          local: {
            tryBundle(outputDir: string) {
              packageNativeNormalizeLayer(outputDir);
              return true;
            },
          },
        },
      }),
    });
  }
}
