import path from 'node:path/posix';
import { landingFileKey } from '../../import/import-layout.ts';
import type { Manifest } from '../../manifest/manifest-schema.ts';
import type { Attachment } from '../../schema/message-schema.ts';

/**
 * The media files of a seizure (manifest files with role `media`: the photos and voice notes next to a chat
 * export). A chat names its media by a path relative to the chat file; when that file was seized and listed,
 * the attachment carries its verified hash and size, and its key in the landing bucket as `object_key`.
 */
export interface MediaIndex {
  /** The attachment for a media name found in `chatPath`'s export, linked to the seized file when listed. */
  attachment(chatPath: string, name: string | null, mediaType: string | null): Attachment;
}

const mediaTypes: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  '3gp': 'video/3gpp',
  opus: 'audio/ogg',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  mp3: 'audio/mpeg',
  amr: 'audio/amr',
  pdf: 'application/pdf',
  vcf: 'text/vcard',
  txt: 'text/plain',
  zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** A media type guessed from a file name's extension, or null. */
export function mediaTypeOf(name: string): string | null {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? null : (mediaTypes[name.slice(dot + 1).toLowerCase()] ?? null);
}

export function mediaIndex(manifest: Manifest): MediaIndex {
  const media = new Map(manifest.files.filter((f) => f.role === 'media').map((f) => [f.path, f]));
  return {
    attachment(chatPath, name, mediaType) {
      if (!name) return { name: null, media_type: mediaType, size: null, sha256: null, object_key: null };
      // A name is a relative path inside the export: an absolute one, or one with `..`, links to nothing.
      const inside = !path.isAbsolute(name) && !name.includes('\\') && !name.split('/').includes('..');
      const file = inside ? media.get(path.normalize(path.join(path.dirname(chatPath), name))) : undefined;
      return {
        name,
        media_type: mediaType ?? mediaTypeOf(name),
        size: file?.bytes ?? null,
        sha256: file?.sha256 ?? null,
        object_key: file ? landingFileKey(manifest.seizureId, file.path) : null,
      };
    },
  };
}
