import { luhnCheckDigit } from './checksums/luhn.ts';
import type { Prng } from './prng.ts';

/**
 * How each platform names its users, their devices and their groups. Every scheme draws unique names
 * from `taken`, which the caller shares between users and groups of one seizure.
 */
export interface IdentityScheme {
  handle(rng: Prng, taken: Set<string>): string;
  device(rng: Prng): string;
  groupName(rng: Prng, taken: Set<string>): string;
}

const adjectives = [
  'pink',
  'icecold',
  'silent',
  'black',
  'golden',
  'crazy',
  'lucky',
  'dark',
  'royal',
  'wild',
  'red',
  'blue',
  'green',
  'white',
  'iron',
  'ghost',
  'little',
  'big',
  'fast',
  'cool',
  'mad',
  'sly',
  'happy',
  'lazy',
  'brave',
  'frozen',
  'hidden',
  'smoky',
  'sharp',
  'heavy',
  'rapid',
  'stone',
  'shadow',
  'night',
  'urban',
  'desert',
  'steel',
  'electric',
  'magic',
  'rusty',
  'sunny',
  'stormy',
  'noble',
  'savage',
  'quiet',
  'lone',
  'grey',
  'neon',
  'polar',
  'crimson',
  'velvet',
  'atomic',
  'cosmic',
  'lethal',
  'secret',
  'wicked',
  'jolly',
  'misty',
];
const nouns = [
  'panther',
  'guardian',
  'sniper',
  'tiger',
  'falcon',
  'viper',
  'wolf',
  'eagle',
  'shark',
  'cobra',
  'lion',
  'ranger',
  'pirate',
  'captain',
  'doctor',
  'baker',
  'farmer',
  'sailor',
  'hunter',
  'king',
  'prince',
  'joker',
  'bandit',
  'ninja',
  'samurai',
  'pilot',
  'driver',
  'rider',
  'dragon',
  'phoenix',
  'raven',
  'fox',
  'bear',
  'bull',
  'horse',
  'hawk',
  'owl',
  'spider',
  'scorpion',
  'rocket',
  'storm',
  'thunder',
  'diamond',
  'ruby',
  'emerald',
  'pearl',
  'anchor',
  'harbor',
  'captain',
  'boss',
  'chief',
  'major',
  'general',
  'spirit',
  'angel',
  'devil',
  'monk',
  'wizard',
  'knight',
  'baron',
  'duke',
  'jaguar',
  'puma',
  'lynx',
  'gecko',
  'mamba',
  'orca',
  'kraken',
  'titan',
  'atlas',
  'zeus',
  'apollo',
  'mercury',
  'comet',
  'meteor',
  'blaze',
  'frost',
  'breeze',
  'canyon',
  'river',
  'ocean',
  'island',
  'palm',
  'coconut',
  'mango',
  'banana',
  'pepper',
  'cookie',
  'muffin',
];
const callsigns = [
  'vortex',
  'bravo',
  'alpha',
  'delta',
  'echo',
  'tango',
  'sierra',
  'kilo',
  'zulu',
  'oscar',
  'romeo',
  'victor',
  'nova',
  'omega',
  'sigma',
  'zenith',
  'apex',
  'cipher',
  'matrix',
  'vector',
  'pixel',
  'turbo',
  'nitro',
  'blade',
  'raptor',
  'venom',
  'hydra',
  'onyx',
  'cobalt',
  'quartz',
  'orbit',
  'pulse',
  'razor',
  'spectre',
  'talon',
  'ember',
];

function unique(taken: Set<string>, make: () => string): string {
  for (;;) {
    const name = make();
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

/** Type allocation codes of the handset models each platform shipped (synthetic values). */
const encroChatTacs = ['35391710', '35391712', '35876409'];
const skyEccTacs = ['35328711', '35419210', '35290611', '35698110', '35174009'];

/** A 15-digit IMEI: model code, serial, and a valid Luhn check digit. */
function imei(tacs: readonly string[], rng: Prng): string {
  const payload = rng.pick(tacs) + rng.digits(6);
  return payload + luhnCheckDigit(payload);
}

const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** EncroChat: lower-case nicknames (`pinkpanther`, `guardian88`, `icecold-sniper`) on IMEI handsets. */
export const encroChatIdentities: IdentityScheme = {
  handle: (rng, taken) =>
    unique(taken, () => {
      const noun = rng.pick(nouns);
      switch (rng.int(5)) {
        case 0:
          return `${rng.pick(adjectives)}${noun}`;
        case 1:
          return `${noun}${rng.between(1, 99)}`;
        case 2:
          return `${rng.pick(adjectives)}-${noun}`;
        case 3:
          return `${rng.pick(adjectives)}${noun}${rng.between(1, 999)}`;
        default:
          return `${noun}.${rng.pick(nouns)}`;
      }
    }),
  device: (rng) => imei(encroChatTacs, rng),
  groupName: (rng, taken) => unique(taken, () => `grp-${rng.hex(6)}`),
};

/** Sky ECC: 6-character upper-case Sky IDs on IMEI handsets; numbered groups. */
export const skyEccIdentities: IdentityScheme = {
  handle: (rng, taken) =>
    unique(taken, () => {
      let id = '';
      for (let i = 0; i < 6; i++) id += ALNUM[rng.int(ALNUM.length)];
      return id;
    }),
  device: (rng) => imei(skyEccTacs, rng),
  groupName: (rng, taken) => unique(taken, () => `G${rng.digits(6)}`),
};

/** Anom: call-sign users (`vortex12`), 8-hex BlackBerry-PIN-like device resources, named rooms. */
export const anomIdentities: IdentityScheme = {
  handle: (rng, taken) =>
    unique(taken, () => `${rng.chance(0.5) ? rng.pick(callsigns) : rng.pick(nouns)}${rng.between(1, 999)}`),
  device: (rng) => rng.hex(8).toUpperCase(),
  groupName: (rng, taken) =>
    unique(taken, () => `${rng.pick(callsigns)}-${rng.pick(nouns)}${rng.between(1, 99)}`),
};
