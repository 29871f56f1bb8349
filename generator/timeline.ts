import { centralEuropeanOffset } from './clock.ts';
import type { Role } from './lexicon/lexicon.ts';
import type { Conversation, Population, User } from './population.ts';
import type { Prng } from './prng.ts';

/**
 * When who writes in which conversation. Conversations happen in sessions: a burst of turns with replies
 * seconds to minutes apart (now and then hours). Sessions start more often by day than at night and
 * overlap; a heap of open sessions yields the turns in time order, so nothing but the open sessions is
 * held in memory however many messages are asked for.
 */
export interface Turn {
  sentMs: number;
  conversation: Conversation;
  sender: User;
  role: Role;
}

interface Session {
  conversation: Conversation;
  nextMs: number;
  remaining: number;
  turn: number;
  speaker: User;
  lastRole: Role;
}

const HOUR = 3_600_000;

/** Relative activity by local hour: quiet from 2 to 7, busiest in the evening. */
const hourOfDay = [
  0.45, 0.3, 0.16, 0.09, 0.07, 0.08, 0.16, 0.35, 0.6, 0.8, 0.95, 1, 1, 1, 0.95, 0.95, 1, 1.05, 1.1, 1.2, 1.25,
  1.2, 0.95, 0.7,
];
/** Relative activity by weekday (Sunday first): a quieter Sunday. */
const dayOfWeek = [0.75, 1, 1, 1, 1.05, 1.1, 0.95];

const GROUP_SHARE = 0.22;
const MEAN_CHAT_TURNS = 6;
const MEAN_GROUP_TURNS = 9;

export class Timeline {
  private readonly population: Population;
  private readonly rng: Prng;
  private readonly startMs: number;
  private readonly cumulativeActivity: Float64Array;
  private readonly meanGap: number;
  private readonly open: Session[] = [];
  private clock = 0; // position on the activity axis of the next session start
  private hour = 0; // hour of the span the clock is in
  private nextStartMs: number;

  /** Activity spans `days` days from `startMs`; `messages` turns are expected to fill it. */
  constructor(
    population: Population,
    options: { startMs: number; days: number; messages: number },
    rng: Prng,
  ) {
    this.population = population;
    this.rng = rng;
    this.startMs = options.startMs;
    const hours = options.days * 24;
    this.cumulativeActivity = new Float64Array(hours);
    let total = 0;
    for (let h = 0; h < hours; h++) {
      const utc = options.startMs + h * HOUR;
      const local = utc + centralEuropeanOffset(utc);
      total +=
        (hourOfDay[Math.floor(local / HOUR) % 24] as number) *
        (dayOfWeek[new Date(local).getUTCDay()] as number);
      this.cumulativeActivity[h] = total;
    }
    const groupShare = population.groups.length ? GROUP_SHARE : 0;
    const meanTurns = (1 - groupShare) * MEAN_CHAT_TURNS + groupShare * MEAN_GROUP_TURNS;
    this.meanGap = total / Math.max(1, options.messages / meanTurns);
    this.nextStartMs = this.advanceClock();
  }

  next(): Turn {
    const top = this.open[0];
    if (!top || this.nextStartMs <= top.nextMs) {
      const session = this.startSession(this.nextStartMs);
      this.nextStartMs = this.advanceClock();
      return this.take(session);
    }
    return this.take(top, true);
  }

  /** Emits the session's current turn and schedules its next one (or closes it). */
  private take(session: Session, onHeap = false): Turn {
    const turn: Turn = {
      sentMs: session.nextMs,
      conversation: session.conversation,
      sender: session.speaker,
      role: session.lastRole,
    };
    session.remaining--;
    if (session.remaining > 0) {
      this.planNextTurn(session);
      if (onHeap) siftDown(this.open, 0);
      else push(this.open, session);
    } else if (onHeap) {
      pop(this.open);
    }
    return turn;
  }

  private startSession(startMs: number): Session {
    const rng = this.rng;
    const { chats, groups, chatWeights, groupWeights } = this.population;
    const isGroup = groups.length > 0 && rng.chance(GROUP_SHARE);
    const conversation = isGroup
      ? (groups[rng.weighted(groupWeights)] as Conversation)
      : (chats[rng.weighted(chatWeights)] as Conversation);
    const mean = isGroup ? MEAN_GROUP_TURNS : MEAN_CHAT_TURNS;
    const turns = Math.min(60, 1 + Math.floor(rng.exponential(mean - 1) + rng.float()));
    return {
      conversation,
      nextMs: startMs,
      remaining: turns,
      turn: 0,
      speaker: rng.pick(conversation.members),
      lastRole: rng.chance(0.8) ? 'opener' : 'ask',
    };
  }

  private planNextTurn(session: Session): void {
    const rng = this.rng;
    const members = session.conversation.members;
    const doubleText = rng.chance(0.18);
    if (!doubleText) {
      let next = rng.pick(members);
      while (next === session.speaker) next = rng.pick(members);
      session.speaker = next;
    }
    session.turn++;
    session.lastRole =
      session.remaining === 1 ? (rng.chance(0.45) ? 'closer' : 'ack') : nextRole(session.lastRole, rng);
    session.nextMs += replyDelay(doubleText, rng);
  }

  /** Moves the activity clock by one exponential gap and maps it to wall time through the rhythm. */
  private advanceClock(): number {
    this.clock += this.rng.exponential(this.meanGap);
    const sums = this.cumulativeActivity;
    const last = sums.length - 1;
    while (this.hour < last && (sums[this.hour] as number) <= this.clock) this.hour++;
    const before = this.hour === 0 ? 0 : (sums[this.hour - 1] as number);
    const within = (sums[this.hour] as number) - before;
    // Past the end of the span the rhythm of the last hour continues.
    const fraction = (this.clock - before) / within;
    return Math.floor(this.startMs + (this.hour + fraction) * HOUR);
  }
}

function nextRole(previous: Role, rng: Prng): Role {
  if (previous === 'ask' && rng.chance(0.6)) return 'answer';
  const r = rng.float();
  if (r < 0.22) return 'ask';
  if (r < 0.45) return 'answer';
  if (r < 0.65) return 'logistics';
  if (r < 0.76) return 'money';
  return 'ack';
}

/** Seconds for a follow-up by the same writer; a lognormal reply time otherwise, sometimes hours. */
function replyDelay(doubleText: boolean, rng: Prng): number {
  if (doubleText) return rng.between(2_000, 25_000);
  if (rng.chance(0.03)) return rng.between(HOUR, 9 * HOUR);
  const seconds = Math.exp(Math.log(50) + 1.2 * rng.normal());
  return Math.round(Math.min(3 * 3600, Math.max(3, seconds)) * 1000) + rng.int(1000);
}

// A binary min-heap of sessions by next turn time.
function push(heap: Session[], session: Session): void {
  heap.push(session);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if ((heap[parent] as Session).nextMs <= session.nextMs) break;
    heap[i] = heap[parent] as Session;
    i = parent;
  }
  heap[i] = session;
}

function pop(heap: Session[]): void {
  const last = heap.pop() as Session;
  if (heap.length) {
    heap[0] = last;
    siftDown(heap, 0);
  }
}

function siftDown(heap: Session[], from: number): void {
  const item = heap[from] as Session;
  let i = from;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child =
      right < heap.length && (heap[right] as Session).nextMs < (heap[left] as Session).nextMs ? right : left;
    if ((heap[child] as Session).nextMs >= item.nextMs) break;
    heap[i] = heap[child] as Session;
    i = child;
  }
  heap[i] = item;
}
