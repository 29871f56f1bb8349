import {
  randomBitcoinAddress,
  randomCoordinates,
  randomEthereumAddress,
  randomIban,
  randomMobileNumber,
} from './entities.ts';
import type { City } from './geography.ts';
import { lexicons } from './lexicon/all-lexicons.ts';
import {
  type EntityKind,
  type Language,
  type Lexicon,
  languages,
  type Role,
  roles,
} from './lexicon/lexicon.ts';
import type { Prng } from './prng.ts';

/** A template split at its slots: even indexes are literal text, odd indexes slot names. */
type CompiledTemplate = readonly string[];

interface CompiledLexicon {
  lexicon: Lexicon;
  turns: Record<Role, readonly CompiledTemplate[]>;
  entities: Record<EntityKind, readonly CompiledTemplate[]>;
}

const emoji = ['👍', '🔥', '💰', '🚗', '📦', '😂', '🙏', '✅', '⚠️', '🤫', '💯', '🍃', '❄️', '👀', '🤝', '💶'];

/** Of the turns that carry content, the share that carry an entity, and how that share splits. */
const ENTITY_SHARE = 0.1;
const entityWeights: readonly [EntityKind, number][] = [
  ['iban', 0.2],
  ['coords', 0.3],
  ['crypto', 0.2],
  ['phone', 0.3],
];
const contentRoles: ReadonlySet<Role> = new Set(['ask', 'answer', 'logistics', 'money']);

function compile(template: string): CompiledTemplate {
  return template.split(/\{(\w+)\}/);
}

function compileLexicon(lexicon: Lexicon): CompiledLexicon {
  const turns = {} as Record<Role, readonly CompiledTemplate[]>;
  for (const role of roles) turns[role] = lexicon.turns[role].map(compile);
  const entities = {} as Record<EntityKind, readonly CompiledTemplate[]>;
  for (const kind of Object.keys(lexicon.entities) as EntityKind[])
    entities[kind] = lexicon.entities[kind].map(compile);
  return { lexicon, turns, entities };
}

const compiled = Object.fromEntries(languages.map((l) => [l, compileLexicon(lexicons[l])])) as Record<
  Language,
  CompiledLexicon
>;

/** Writes chat bodies: a turn of a conversation in one language, with slang, amounts and sometimes an entity. */
export class BodyComposer {
  private readonly rng: Prng;
  private readonly allowEmoji: boolean;

  constructor(rng: Prng, options: { allowEmoji: boolean }) {
    this.rng = rng;
    this.allowEmoji = options.allowEmoji;
  }

  /** `city` is where the writer lives: coordinates they send lie around it. */
  compose(language: Language, role: Role, city: City): string {
    const rng = this.rng;
    const lex = compiled[language];
    if (this.allowEmoji && role === 'ack' && rng.chance(0.08)) return rng.pick(emoji);

    let body: string;
    if (contentRoles.has(role) && rng.chance(ENTITY_SHARE)) {
      body = this.fill(lex, rng.pick(lex.entities[pickEntity(rng)]), language, city);
    } else {
      body = this.fill(lex, rng.pick(lex.turns[role]), language, city);
      if (role === 'opener' && rng.chance(0.5)) {
        const join = body.endsWith('?') ? rng.pick(questionJoins) : rng.pick(openerJoins);
        body += join + this.fill(lex, rng.pick(lex.turns.ask), language, city);
      }
    }
    if (rng.chance(0.12)) body = body.charAt(0).toUpperCase() + body.slice(1);
    if (this.allowEmoji && rng.chance(0.08))
      body += ` ${rng.pick(emoji)}${rng.chance(0.3) ? rng.pick(emoji) : ''}`;
    return body;
  }

  private fill(lex: CompiledLexicon, template: CompiledTemplate, language: Language, city: City): string {
    if (template.length === 1) return template[0] as string;
    let out = template[0] as string;
    for (let i = 1; i < template.length; i += 2) {
      out += this.slot(lex.lexicon, template[i] as string, language, city) + (template[i + 1] as string);
    }
    return out;
  }

  private slot(lexicon: Lexicon, name: string, language: Language, city: City): string {
    const rng = this.rng;
    switch (name) {
      case 'qty': {
        const [unit, min, max] = rng.pick(lexicon.units);
        return `${rng.between(min, max)} ${unit}`;
      }
      case 'price': {
        const amount = roundedAmount(rng);
        const style = rng.int(4);
        // "0,4k" is not how anyone writes 400: shorthand (style 1) is for thousands only.
        return lexicon.price(amount, amount < 1000 && style === 1 ? 0 : style);
      }
      case 'iban':
        return randomIban(language, rng);
      case 'coords':
        return randomCoordinates(city, rng);
      case 'btc':
        return randomBitcoinAddress(rng);
      case 'eth':
        return randomEthereumAddress(rng);
      case 'phone':
        return randomMobileNumber(language, rng);
      case 'name':
      case 'place':
      case 'product':
      case 'time':
      case 'vehicle':
      case 'company':
        return rng.pick(lexicon.words[name]);
      default:
        throw new Error(`lexicon ${lexicon.language} uses an unknown slot {${name}}`);
    }
  }
}

const openerJoins = [', ', ' ', '\n', '. '];
const questionJoins = [' ', '\n'];

function pickEntity(rng: Prng): EntityKind {
  let r = rng.float();
  for (const [kind, weight] of entityWeights) {
    r -= weight;
    if (r < 0) return kind;
  }
  return 'phone';
}

/** Amounts from a few hundred to a quarter million euros, rounded as people round them. */
function roundedAmount(rng: Prng): number {
  const raw = Math.exp(Math.log(200) + rng.float() * (Math.log(250_000) - Math.log(200)));
  const step = raw < 1000 ? 50 : raw < 100_000 ? 500 : 5000;
  return Math.max(step, Math.round(raw / step) * step);
}
