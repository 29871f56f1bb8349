/**
 * Where everything of an import lives, key for key the same in S3 and under $SEIZURE_HOME.
 *
 *   landing     seizures/<seizure>/manifest.json, seizures/<seizure>/<file path>      (evidence, write-once)
 *   lake        messages/seizure_id=<seizure>/sent_month=<YYYY-MM>/part-<import>[-<b>of<n>]-<i>.parquet
 *               staging/<seizure>/<import>/sent_month=<YYYY-MM>/<chunk>.parquet      (until finalize)
 *   quarantine  seizures/<seizure>/imports/<import>/rejected/<chunk>.ndjson
 *               seizures/<seizure>/imports/<import>/duplicates/<slice>.ndjson
 *   reports     seizures/<seizure>/imports/<import>/{report.json, plan/evidence.json, evidence/<file>.json,
 *               plan/chunks.json, chunks/<chunk>.json, plan/slices.json, plan/months/<YYYY-MM>.json,
 *               slices/<slice>.json}
 *
 * A slice is what one finalize task compacts: a month, or when the month is too big for one task, the rows of
 * the month whose message_id falls in hash bucket <b> of <n>. A slice id is `<YYYY-MM>` (one bucket: the
 * layout of a small seizure is that of an unsliced month) or `<YYYY-MM>-<b>of<n>`; its lake files and its
 * duplicates are named after it, so a retried slice overwrites its own output.
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
/** The dropped duplicates of one slice (`<YYYY-MM>.ndjson` when the month is one slice). */
export const duplicatesKey = (seizureId: string, importId: string, sliceId: string) =>
  `${duplicatesPrefix(seizureId, importId)}${sliceId}.ndjson`;
export const reportKey = (seizureId: string, importId: string) =>
  `${importPrefix(seizureId, importId)}report.json`;
/** An evidence file's id: its place in the manifest's file list, `f0000` (chunk ids start with it). */
export const fileIdOf = (index: number) => `f${String(index).padStart(4, '0')}`;
/** The files verify hashes (the hash map's items), in the manifest's order. */
export const evidenceListKey = (seizureId: string, importId: string) =>
  `${importPrefix(seizureId, importId)}plan/evidence.json`;
/** What hashing one evidence file found; a retried item overwrites its own. */
export const evidenceResultKey = (seizureId: string, importId: string, fileId: string) =>
  `${importPrefix(seizureId, importId)}evidence/${fileId}.json`;
export const planKey = (seizureId: string, importId: string) =>
  `${importPrefix(seizureId, importId)}plan/chunks.json`;
/** The chunks of one evidence file, as its plan item cut them; "Plan chunks" joins them into the plan. */
export const filePlanKey = (seizureId: string, importId: string, fileId: string) =>
  `${importPrefix(seizureId, importId)}plan/files/${fileId}.json`;
export const chunkResultPrefix = (seizureId: string, importId: string) =>
  `${importPrefix(seizureId, importId)}chunks/`;
export const chunkResultKey = (seizureId: string, importId: string, chunkId: string) =>
  `${chunkResultPrefix(seizureId, importId)}${chunkId}.json`;
export const importsPrefix = (seizureId: string) => `seizures/${seizureId}/imports/`;

/** The slice list of finalize (the compaction map's items). */
export const slicesKey = (seizureId: string, importId: string) =>
  `${importPrefix(seizureId, importId)}plan/slices.json`;
/** What the slices of one month read: the staged files and the partition's files when finalize was planned. */
export const monthInputKey = (seizureId: string, importId: string, month: string) =>
  `${importPrefix(seizureId, importId)}plan/months/${month}.json`;
export const sliceResultPrefix = (seizureId: string, importId: string) =>
  `${importPrefix(seizureId, importId)}slices/`;
export const sliceResultKey = (seizureId: string, importId: string, sliceId: string) =>
  `${sliceResultPrefix(seizureId, importId)}${sliceId}.json`;

/** A slice's id: the month alone when it is one slice, else `<YYYY-MM>-<b>of<n>`. */
export const sliceIdOf = (month: string, bucket: number, buckets: number) =>
  buckets === 1 ? month : `${month}-${bucket}of${buckets}`;
/**
 * The lake file names a slice writes, before DuckDB's `-<i>.parquet`: `part-<import>` for a month in one slice
 * (the names an unsliced finalize always wrote), `part-<import>-<b>of<n>` for a bucket of a sliced month.
 */
export const sliceFileStem = (importId: string, bucket: number, buckets: number) =>
  buckets === 1 ? `part-${importId}` : `part-${importId}-${bucket}of${buckets}`;
/** Every lake file this import's slices can have written into a partition starts with this. */
export const importFilePrefix = (importId: string) => `part-${importId}-`;
