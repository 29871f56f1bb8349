/**
 * Where everything of an import lives, key for key the same in S3 and under $SEIZURE_HOME.
 *
 *   landing     seizures/<seizure>/manifest.json, seizures/<seizure>/<file path>      (evidence, write-once)
 *   lake        messages/seizure_id=<seizure>/sent_month=<YYYY-MM>/part-*.parquet     (the table)
 *               staging/<seizure>/<import>/sent_month=<YYYY-MM>/<chunk>.parquet      (until finalize)
 *   quarantine  seizures/<seizure>/imports/<import>/rejected/<chunk>.ndjson
 *               seizures/<seizure>/imports/<import>/duplicates/<YYYY-MM>.ndjson
 *   reports     seizures/<seizure>/imports/<import>/{report.json, plan/chunks.json, chunks/<chunk>.json}
 */
export const landingManifestKey = (seizureId: string) => `seizures/${seizureId}/manifest.json`;
export const landingFileKey = (seizureId: string, path: string) => `seizures/${seizureId}/${path}`;

export const messagesPrefix = 'messages/';
export const seizurePartitionPrefix = (seizureId: string) => `${messagesPrefix}seizure_id=${seizureId}/`;
export const monthPartitionPrefix = (seizureId: string, month: string) =>
  `${seizurePartitionPrefix(seizureId)}sent_month=${month}/`;

export const stagingPrefix = (seizureId: string, importId: string) => `staging/${seizureId}/${importId}/`;
export const stagingKey = (seizureId: string, importId: string, month: string, chunkId: string) =>
  `${stagingPrefix(seizureId, importId)}sent_month=${month}/${chunkId}.parquet`;

const importPrefix = (seizureId: string, importId: string) => `seizures/${seizureId}/imports/${importId}/`;
export const rejectedPrefix = (seizureId: string, importId: string) =>
  `${importPrefix(seizureId, importId)}rejected/`;
export const rejectedKey = (seizureId: string, importId: string, chunkId: string) =>
  `${rejectedPrefix(seizureId, importId)}${chunkId}.ndjson`;
export const duplicatesPrefix = (seizureId: string, importId: string) =>
  `${importPrefix(seizureId, importId)}duplicates/`;
export const duplicatesKey = (seizureId: string, importId: string, month: string) =>
  `${duplicatesPrefix(seizureId, importId)}${month}.ndjson`;
export const reportKey = (seizureId: string, importId: string) =>
  `${importPrefix(seizureId, importId)}report.json`;
export const planKey = (seizureId: string, importId: string) =>
  `${importPrefix(seizureId, importId)}plan/chunks.json`;
export const chunkResultPrefix = (seizureId: string, importId: string) =>
  `${importPrefix(seizureId, importId)}chunks/`;
export const chunkResultKey = (seizureId: string, importId: string, chunkId: string) =>
  `${chunkResultPrefix(seizureId, importId)}${chunkId}.json`;
export const importsPrefix = (seizureId: string) => `seizures/${seizureId}/imports/`;
