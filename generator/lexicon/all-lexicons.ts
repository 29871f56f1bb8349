import { dutch } from './dutch.ts';
import { english } from './english.ts';
import { french } from './french.ts';
import type { Language, Lexicon } from './lexicon.ts';
import { spanish } from './spanish.ts';

export const lexicons: Record<Language, Lexicon> = { nl: dutch, en: english, fr: french, es: spanish };
