import path from 'node:path';
import { DirectoryStore } from '#domain/storage/directory-store.ts';

/** Where local state lives: $SEIZURE_HOME, or `.seizure/` in the working directory. */
export function seizureHome(): string {
  return path.resolve(process.env.SEIZURE_HOME || '.seizure');
}

/** The local buckets: `<home>/landing`, `<home>/lake`, `<home>/quarantine`, `<home>/reports`. */
export function localStore(home: string = seizureHome()): DirectoryStore {
  return new DirectoryStore(home);
}
