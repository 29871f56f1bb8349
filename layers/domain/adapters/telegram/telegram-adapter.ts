import type { Readable } from 'node:stream';
import type { Adapter, Chunk, EvidenceFile, ImportContext, NormalizedRecord, OpenRange } from '../adapter.ts';
import { rejected } from '../common/canonical-message.ts';
import { withUnreadStretchesQuarantined } from '../common/unread-stretches.ts';
import { MAX_RECORD_BYTES } from '../mapping/mapping-adapter.ts';
import { type Frame, JsonSkimmer, type PathRole } from './json-skimmer.ts';
import { type ChatInfo, telegramMessage } from './telegram-message.ts';

/**
 * `telegram`: Telegram Desktop's JSON export (`result.json`), of all chats (`chats.list[]`, `left_chats.list[]`,
 * with `personal_information`) or of one chat (the chat object at the top). The file is walked once when
 * planning, without holding it: the first chunk starts at the file's start, the others at a message of a
 * `messages` array, and each carries the containers open there, the chat being read (id, name, type) and the
 * account's owner. Each message's bytes are parsed with JSON.parse.
 */
interface TelegramContext {
  frames: Frame[];
  chat: ChatInfo;
  owner: string | null;
}

const RECORD_PATHS = new Set(['messages.#', 'chats.list.#.messages.#', 'left_chats.list.#.messages.#']);
const CHAT_PATHS = new Set(['', 'chats.list.#', 'left_chats.list.#']);
const DESCEND = new Set([
  '',
  'chats',
  'chats.list',
  'chats.list.#',
  'chats.list.#.messages',
  'left_chats',
  'left_chats.list',
  'left_chats.list.#',
  'left_chats.list.#.messages',
  'messages',
  'personal_information',
]);
const CHAT_FIELDS = new Set(['name', 'type', 'id']);
/** How Telegram Desktop writes a message's (or a service message's) type: where a damaged file hides one. */
const MESSAGE_START = /"type": ?"(?:message|service)"/g;

function roleOf(path: readonly string[]): PathRole {
  const p = path.join('.');
  if (RECORD_PATHS.has(p)) return 'record';
  if (DESCEND.has(p)) return 'descend';
  if (p === 'personal_information.user_id') return 'scalar';
  const last = path[path.length - 1] as string;
  if (CHAT_FIELDS.has(last) && CHAT_PATHS.has(path.slice(0, -1).join('.'))) return 'scalar';
  return 'skip';
}

const emptyChat = (): ChatInfo => ({ id: null, name: null, type: null });

export function createTelegramAdapter(
  context: ImportContext,
  options: { maxRecordBytes?: number } = {},
): Adapter {
  const maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;

  /** Follows the chat and the owner as the skimmer passes them. */
  function tracker(initial: { chat: ChatInfo; owner: string | null }) {
    const state = { chat: { ...initial.chat }, owner: initial.owner };
    return {
      state,
      objectStart(path: readonly string[]) {
        if (CHAT_PATHS.has(path.join('.'))) state.chat = emptyChat();
      },
      scalar(path: readonly string[], json: string) {
        let value: unknown;
        try {
          value = JSON.parse(json);
        } catch {
          return;
        }
        // (cut: a chat's name travels in each chunk's context)
        const text =
          typeof value === 'string' || typeof value === 'number' ? String(value).slice(0, 1024) : null;
        if (path.join('.') === 'personal_information.user_id') state.owner = text ? `user${text}` : null;
        else if (path.at(-1) === 'id') state.chat.id = text;
        else if (path.at(-1) === 'name') state.chat.name = text;
        else if (path.at(-1) === 'type') state.chat.type = text;
      },
    };
  }

  async function plan(file: EvidenceFile, open: OpenRange, target: number): Promise<Chunk[]> {
    const track = tracker({ chat: emptyChat(), owner: null });
    const bounds: { start: number; frames: Frame[]; chat: ChatInfo }[] = [];
    let chunkStart = 0;
    let inferredOwner: string | null = null;
    let wanted = false; // the current record's bytes are needed (to find the owner)
    let parts: Buffer[] = [];
    let recordFrom = -1;
    let buf: Buffer = Buffer.alloc(0);
    let bufOffset = 0;
    const skimmer: JsonSkimmer = new JsonSkimmer(0, [], {
      role: roleOf,
      objectStart: track.objectStart,
      scalar: track.scalar,
      recordStart(start) {
        // The first chunk starts at the file's start, so that no byte before the first message found
        // (where damage may hide others) goes unread.
        if (!bounds.length) bounds.push({ start: 0, frames: [], chat: emptyChat() });
        else if (start - chunkStart >= target) {
          bounds.push({ start, frames: skimmer.frames, chat: { ...track.state.chat } });
          chunkStart = start;
        }
        // Without personal_information (a one-chat export), the owner is whoever writes to the peer.
        wanted = !track.state.owner && !inferredOwner && track.state.chat.type === 'personal_chat';
        recordFrom = start;
        parts = [];
      },
      record(start, end, truncated) {
        recordFrom = -1;
        if (!wanted || truncated || end - start > 1024 * 1024) return;
        wanted = false;
        parts.push(buf.subarray(Math.max(start, bufOffset) - bufOffset, end - bufOffset));
        try {
          const m = JSON.parse(Buffer.concat(parts).toString('utf8')) as { from_id?: unknown };
          const peer = `user${track.state.chat.id}`;
          if (typeof m.from_id === 'string' && m.from_id !== peer && m.from_id.startsWith('user')) {
            inferredOwner = m.from_id;
          }
        } catch {
          // a broken record tells nothing about the owner
        }
      },
    });
    for await (const piece of await open(0, file.bytes)) {
      buf = piece as Buffer;
      bufOffset = skimmer.offset;
      skimmer.write(buf);
      if (wanted && recordFrom !== -1)
        parts.push(Buffer.from(buf.subarray(Math.max(recordFrom, bufOffset) - bufOffset)));
    }
    if (!bounds.length) {
      throw new Error(
        `${file.path} has no messages: expected Telegram Desktop's result.json (chats.list[].messages[])`,
      );
    }
    const owner = track.state.owner ?? inferredOwner;
    return bounds.map((b, i) => ({
      chunkId: '',
      index: i,
      file,
      start: b.start,
      end: bounds[i + 1]?.start ?? file.bytes,
      context: JSON.stringify({ frames: b.frames, chat: b.chat, owner } satisfies TelegramContext),
    }));
  }

  function read(chunk: Chunk, bytes: Readable): AsyncIterable<NormalizedRecord[]> {
    return withUnreadStretchesQuarantined(chunk, bytes, MESSAGE_START, (watched) =>
      readMessages(chunk, watched),
    );
  }

  async function* readMessages(
    chunk: Chunk,
    bytes: AsyncIterable<Buffer>,
  ): AsyncIterable<NormalizedRecord[]> {
    const ctx = JSON.parse(chunk.context as string) as TelegramContext;
    const { file } = chunk;
    const track = tracker({ chat: ctx.chat, owner: ctx.owner });
    let out: NormalizedRecord[] = [];
    let parts: Buffer[] = [];
    let size = 0;
    let start = -1;
    let buf: Buffer = Buffer.alloc(0);
    let bufOffset = chunk.start;
    const skimmer = new JsonSkimmer(chunk.start, ctx.frames, {
      role: roleOf,
      objectStart: track.objectStart,
      scalar: track.scalar,
      recordStart(s) {
        start = s;
        parts = [];
        size = 0;
      },
      record(s, end, truncated) {
        const length = end - s;
        start = -1;
        if (truncated) {
          out.push(rejected(file, s, length, 'truncated: the file ends inside this message'));
          return;
        }
        if (length > maxRecordBytes) {
          out.push(
            rejected(file, s, length, `message of ${length} bytes exceeds the ${maxRecordBytes}-byte limit`),
          );
          return;
        }
        const from = Math.max(s, bufOffset) - bufOffset;
        parts.push(buf.subarray(from, end - bufOffset));
        const raw = Buffer.concat(parts);
        parts = [];
        out.push(telegramMessage(context, file, s, raw, track.state.chat, ctx.owner ?? track.state.owner));
      },
    });
    for await (const piece of bytes) {
      buf = piece;
      bufOffset = skimmer.offset;
      skimmer.write(buf);
      if (start !== -1) {
        const from = Math.max(start, bufOffset) - bufOffset;
        size += buf.length - from;
        if (size <= maxRecordBytes) parts.push(Buffer.from(buf.subarray(from)));
        else parts = [];
      }
      if (out.length) {
        yield out;
        out = [];
      }
    }
    skimmer.end();
    if (out.length) yield out;
  }

  return { plan, read };
}
