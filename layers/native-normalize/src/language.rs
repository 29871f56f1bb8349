//! What enrichment finds in a body without entities, natively: its language, by the compiled copy of
//! Nito-ELD's `eld/small` scorer that ngram-language-detector.ts runs, from the very tables that module builds
//! (handed over once per process). Bodies where an entity extractor could find anything, or whose text this
//! copy cannot treat exactly as JavaScript does, are left to JavaScript (`None`).

use crate::js_text::js_trim;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::OnceLock;

// eld's constants, as ngram-language-detector.ts has them.
const MAX_TEXT: usize = 1000;
const CUT_AFTER: usize = 350;
const ENFORCE_CUT_AFTER: usize = 380;
const MAX_WORD: usize = 70;
const SCALE: f64 = 25.0;
const MIN_NGRAMS: u32 = 3;
const MAX_PACKED: usize = 6;
/** enrich-message.ts's MIN_LANGUAGE_LETTERS: fewer letters say no language. */
const MIN_LANGUAGE_LETTERS: u32 = 15;

/// The scorer's tables, as ngram-language-detector.ts compiles them from eld's.
pub struct LanguageModel {
    pub codes: Vec<String>,
    pub floors: Vec<f64>,
    pub slots: Vec<i32>,
    pub table_bits: u32,
    pub entry_start: Vec<i32>,
    pub language_of: Vec<u8>,
    pub score_of: Vec<i32>,
    pub byte_char: Vec<u8>,
    /// A bit per BMP code point: a letter of eld's separator pattern.
    pub letters: Vec<u8>,
    /// JavaScript's `toLowerCase` of each BMP code point it changes.
    pub lowercase: FxHashMap<u32, String>,
}

static MODEL: OnceLock<LanguageModel> = OnceLock::new();

pub fn set_model(model: LanguageModel) {
    let _ = MODEL.set(model);
}

pub fn model() -> Option<&'static LanguageModel> {
    MODEL.get()
}

/// What enrichDistinctBody finds in a body, where that is certain without JavaScript: no entities, and the
/// language (or none). `None` for a body JavaScript must read.
pub fn enrich_without_entities(model: &'static LanguageModel, body: &str) -> Option<Option<&'static str>> {
    let shape = Shape::of(body);
    if shape.may_hold_entities(body) {
        return None;
    }
    if shape.letters < MIN_LANGUAGE_LETTERS {
        return Some(None);
    }
    detect(model, body).map(|found| found.map(|l| model.code(l)))
}

impl LanguageModel {
    fn code(&'static self, language: usize) -> &'static str {
        &self.codes[language]
    }

    fn is_letter(&self, c: char) -> bool {
        let c = c as u32;
        c <= 0xffff && self.letters[(c >> 3) as usize] & (1 << (c & 7)) != 0
    }
}

/// extract-entities.ts's scan: counts over UTF-16 code units and the characters the extractors key on.
#[derive(Default)]
struct Shape {
    digits: u32,
    letters: u32,
    length: usize,
    at: bool,
    degree: bool,
    dot: bool,
    hyphen: bool,
    colon: bool,
}

impl Shape {
    fn of(text: &str) -> Self {
        let mut s = Shape::default();
        for ch in text.chars() {
            let c = ch as u32;
            s.length += ch.len_utf16();
            if c > 0xffff {
                continue; // two surrogate units: neither counted nor keyed on
            }
            if (48..=57).contains(&c) {
                s.digits += 1;
            } else if ((c | 32) >= 97) && ((c | 32) <= 122) {
                s.letters += 1;
            } else if c < 128 {
                match c {
                    64 => s.at = true,
                    46 => s.dot = true,
                    45 => s.hyphen = true,
                    58 => s.colon = true,
                    _ => {}
                }
            } else if c == 0xb0 {
                s.degree = true;
            } else if c >= 0xc0 && c != 0xd7 && c != 0xf7 && !(0x2000..=0x2bff).contains(&c) {
                s.letters += 1;
            }
        }
        s
    }

    /// Whether any extractor of extractEntities would run on the text (then JavaScript enriches it).
    fn may_hold_entities(&self, text: &str) -> bool {
        let has = |needle: &str| text.contains(needle);
        (self.dot && ((self.colon && has("://")) || has("www.") || (self.length >= 62 && has(".onion"))))
            || (self.at && self.dot)
            || (self.digits >= 10 && self.length >= 15 && may_hold_iban(text))
            || (self.digits >= 1 && self.length >= 26 && may_hold_crypto_address(text))
            || (self.digits >= 10 && self.dot && may_hold_decimal_degrees(text))
            || (self.degree && self.digits >= 3)
            || (self.hyphen && self.digits >= 1 && self.length >= 6 && text.matches('-').nth(1).is_some())
            || (self.digits >= 8 && may_hold_written_phone(text))
    }
}

/// findIbans' candidates: two ASCII letters, two digits, then at least ten letters or digits, each maybe after
/// one space or hyphen (`[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){10,32}`).
fn may_hold_iban(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(3)).any(|i| {
        if !(b[i].is_ascii_alphabetic() && b[i + 1].is_ascii_alphabetic())
            || !(b[i + 2].is_ascii_digit() && b[i + 3].is_ascii_digit())
        {
            return false;
        }
        let (mut at, mut count) = (i + 4, 0);
        while count < 10 {
            match (b.get(at), b.get(at + 1)) {
                (Some(c), _) if c.is_ascii_alphanumeric() => at += 1,
                (Some(b' ' | b'-'), Some(c)) if c.is_ascii_alphanumeric() => at += 2,
                _ => return false,
            }
            count += 1;
        }
        true
    })
}

/// findCryptoAddresses' candidates: 26 or more ASCII letters and digits in a row (Base58, or `0x` and 40 hex
/// digits), or `bc1`/`BC1` and at least 8 more (Bech32).
fn may_hold_crypto_address(text: &str) -> bool {
    let b = text.as_bytes();
    let mut run = 0;
    b.iter().enumerate().any(|(i, c)| {
        run = if c.is_ascii_alphanumeric() { run + 1 } else { 0 };
        run >= 26 || (run >= 11 && matches!(&b[i + 1 - run..i + 4 - run], b"bc1" | b"BC1"))
    })
}

/// findCoordinates' decimal degrees: a digit, a point and four more digits (`\d\.\d{4}`), at least once.
fn may_hold_decimal_degrees(text: &str) -> bool {
    text.as_bytes()
        .windows(6)
        .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2..].iter().all(u8::is_ascii_digit))
}

/// `/(?<![0-9A-Za-z_])\(?[+0]/`: a `+` or `0` that starts a word (a `(` before it is no word character).
fn may_hold_written_phone(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        (b == b'+' || b == b'0') && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
    })
}

/// detectReliableLanguage(text), or `None` where JavaScript's string functions could differ from this copy:
/// a capital sigma (its lower case depends on context), a cased character beyond the BMP, or a text longer
/// than the 1,000 UTF-16 units eld cuts it to.
pub fn detect(model: &LanguageModel, text: &str) -> Option<Option<usize>> {
    // A UTF-16 unit takes at least one UTF-8 byte: only a longer text may be cut.
    if text.len() > MAX_TEXT && text.encode_utf16().nth(MAX_TEXT).is_some() {
        return None;
    }
    if !text.is_ascii()
        && text
            .chars()
            .any(|c| c == 'Σ' || (c as u32 > 0xffff && c.to_lowercase().ne(std::iter::once(c))))
    {
        return None;
    }
    let clean = lowercase(model, js_trim(&without_separators(model, text)));
    SCORER.with_borrow_mut(|scorer| {
        scorer.reset(model);
        scorer.score(model, &clean);
        Some(scorer.reliable_language(model))
    })
}

/// `text.replace(separators, ' ')`: each run of non-letters becomes a space, but for the apostrophes that end
/// it (the pattern's lookbehind keeps "don't" whole).
fn without_separators(model: &LanguageModel, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let flush = |run: &str, out: &mut String| {
        if run.is_empty() {
            return;
        }
        let kept = run.trim_end_matches(['\'', '`', '\u{2019}']);
        if kept.is_empty() {
            out.push_str(run);
        } else {
            out.push(' ');
            out.push_str(&run[kept.len()..]);
        }
    };
    let mut run_start = 0;
    for (i, c) in text.char_indices() {
        if model.is_letter(c) {
            flush(&text[run_start..i], &mut out);
            out.push(c);
            run_start = i + c.len_utf8();
        }
    }
    flush(&text[run_start..], &mut out);
    out
}

/// `toLowerCase()`, from JavaScript's own answers for the BMP (capital sigma and cased astral characters never
/// get here).
fn lowercase(model: &LanguageModel, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(lower) = model.lowercase.get(&(c as u32)) {
            out.push_str(lower);
        } else {
            out.push(c);
        }
    }
    out
}

thread_local! {
    /// The scorer's buffers, reused from text to text.
    static SCORER: std::cell::RefCell<Scorer> = std::cell::RefCell::new(Scorer::default());
}

#[derive(Default)]
struct Scorer {
    bytes: Vec<u8>,
    word_ends: Vec<usize>,
    seen: FxHashSet<(i32, i32)>,
    long_ngrams: FxHashSet<Vec<u8>>,
    scores: Vec<i32>,
    ngram_count: u32,
}

fn hash_of(lo: i32, hi: i32) -> u32 {
    ((lo ^ hi.wrapping_mul(0x27d4eb2d)).wrapping_mul(0x9e3779b1_u32 as i32)) as u32
}

impl Scorer {
    fn reset(&mut self, model: &LanguageModel) {
        self.bytes.clear();
        self.word_ends.clear();
        self.seen.clear();
        self.long_ngrams.clear();
        self.scores.clear();
        self.scores.resize(model.codes.len(), 0);
        self.ngram_count = 0;
    }

    fn score(&mut self, model: &LanguageModel, text: &str) {
        self.to_byte_words(model, text);
        let mut start = 0;
        for w in 0..self.word_ends.len() {
            let end = self.word_ends[w];
            self.add_word_ngrams(model, start, end);
            start = end;
        }
    }

    /// eld's strToUtf8Bytes: UTF-8 bytes through the dictionary, cut at a space after 350 bytes or after 380.
    fn to_byte_words(&mut self, model: &LanguageModel, text: &str) {
        let mut word_start = 0;
        let mut counted = 0usize;
        let mut utf8 = [0u8; 4];
        for c in text.chars() {
            if c.is_ascii() {
                if c == ' ' {
                    if self.bytes.len() > word_start {
                        self.word_ends.push(self.bytes.len());
                        word_start = self.bytes.len();
                    }
                    if counted > CUT_AFTER {
                        break;
                    }
                } else {
                    self.bytes.push(c as u8);
                }
                counted += 1;
            } else {
                let encoded = c.encode_utf8(&mut utf8);
                for &b in encoded.as_bytes() {
                    self.bytes.push(model.byte_char[b as usize]);
                }
                counted += encoded.len();
            }
            if counted > ENFORCE_CUT_AFTER {
                break;
            }
        }
        if self.bytes.len() > word_start {
            self.word_ends.push(self.bytes.len());
        }
    }

    /// eld's getByteNgrams for one word: 4-byte n-grams with stride 3 over its first 70 bytes, a leading space
    /// on the first, and a last one from 4 bytes before the 70-byte cap to the word's real end, plus a space.
    fn add_word_ngrams(&mut self, model: &LanguageModel, start: usize, end: usize) {
        let len = (end - start).min(MAX_WORD);
        let mut j = 0;
        while j + 4 < len {
            self.add_ngram(model, j == 0, start + j, start + j + 4, false);
            j += 3;
        }
        self.add_ngram(model, j == 0, start + len.saturating_sub(4), end, true);
    }

    fn add_ngram(&mut self, model: &LanguageModel, leading: bool, from: usize, to: usize, trailing: bool) {
        let length = usize::from(leading) + (to - from) + usize::from(trailing);
        if length > MAX_PACKED {
            let mut ngram = Vec::with_capacity(length);
            if leading {
                ngram.push(b' ');
            }
            ngram.extend_from_slice(&self.bytes[from..to]);
            if trailing {
                ngram.push(b' ');
            }
            if self.long_ngrams.insert(ngram) {
                self.ngram_count += 1;
            }
            return;
        }
        let mut lo: i32 = 0;
        let mut hi: i32 = (length as i32) << 16;
        let mut at = 0;
        let mut put = |byte: u8, at: usize| {
            if at < 4 {
                lo |= i32::from(byte).wrapping_shl(8 * at as u32);
            } else {
                hi |= i32::from(byte) << (8 * (at - 4));
            }
        };
        if leading {
            put(b' ', 0);
            at = 1;
        }
        for i in from..to {
            put(self.bytes[i], at);
            at += 1;
        }
        if trailing {
            put(b' ', at);
        }
        if !self.seen.insert((lo, hi)) {
            return;
        }
        self.ngram_count += 1;
        let shift = 32 - model.table_bits;
        let mask = (1u32 << model.table_bits) - 1;
        let mut slot = hash_of(lo, hi) >> shift;
        loop {
            let base = slot as usize * 3;
            let entry = model.slots[base + 2];
            if entry == 0 {
                return;
            }
            if model.slots[base] == lo && model.slots[base + 1] == hi {
                let (first, last) = (model.entry_start[entry as usize - 1], model.entry_start[entry as usize]);
                for p in first as usize..last as usize {
                    self.scores[model.language_of[p] as usize] += model.score_of[p];
                }
                return;
            }
            slot = (slot + 1) & mask;
        }
    }

    fn scaled(&self, score: i32) -> f64 {
        let per_ngram = f64::from(score) / f64::from(self.ngram_count);
        per_ngram / (per_ngram + SCALE)
    }

    /// eld's getMaxLang, orderAndScale and isReliable, bugs included (see reliableLanguage()).
    fn reliable_language(&self, model: &LanguageModel) -> Option<usize> {
        let mut best: Option<usize> = None;
        let mut best_score = 0;
        for (l, &score) in self.scores.iter().enumerate() {
            if score > best_score {
                best_score = score;
                best = Some(l);
            }
        }
        let best = best?;
        if self.ngram_count < MIN_NGRAMS {
            return None;
        }
        let (mut first, mut first_scaled, mut second, mut second_scaled) = (-1i64, 0.0, -1i64, 0.0);
        for (l, &score) in self.scores.iter().enumerate() {
            if score <= 0 {
                continue;
            }
            let scaled = self.scaled(score);
            if first < 0 || scaled > first_scaled {
                second = first;
                second_scaled = first_scaled;
                first = l as i64;
                first_scaled = scaled;
            } else if second < 0 || scaled > second_scaled {
                second = l as i64;
                second_scaled = scaled;
            }
        }
        let next_score = second.max(0) as f64; // eld compares with the runner-up's index
        if model.floors[best] > first_scaled || 0.01 > (first_scaled - next_score).abs() {
            return None;
        }
        Some(best)
    }
}
