//! The normalize step's fast path for NDJSON mappings (map-chunk-natively.ts calls it): one pass over a chunk's
//! lines maps every record the mapping certainly maps, exactly as the JavaScript mapping would, and hands the
//! others back by location; the rows are then written as the chunk's staged Parquet, with the enrichment of
//! each distinct body and JavaScript's rows for the records handed back.

mod ids;
mod js_text;
mod language;
mod mapping;
mod staged_parquet;
mod timestamps;

use mapping::Mapping;
use napi::bindgen_prelude::{Buffer, FnArgs, Function};
use napi::{Error, Result};
use napi_derive::napi;
use rustc_hash::FxHashMap;
use serde_json::Value as Json;
use sonic_rs::Value;
use staged_parquet::{decode_ndjson, months_of, MonthRows, StagedRows};
use std::collections::BTreeMap;
use std::path::Path;

const BOM: &[u8] = b"\xEF\xBB\xBF";

// A chunk allocates millions of small strings and frees them together: mimalloc does this far faster than
// glibc's allocator (a tenth of the step's time went to malloc and free with it). Built without transparent
// huge pages (Cargo.toml, `no_thp`): zeroing whole 2 MB pages for a fresh process's first chunk cost ~0.35 s.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (mimalloc.h): how long freed memory stays before it goes back to the OS.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory is kept for the next chunk instead of being returned to the OS and faulted in again (a chunk
/// uses the same few hundred MB as the one before it; ~5% of a chunk's time went to page faults).
#[napi_derive::module_init]
fn keep_freed_memory() {
    // Safety: sets one of mimalloc's options, which it reads whenever it would purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

fn failure(message: impl std::fmt::Display) -> Error {
    Error::from_reason(message.to_string())
}

/// What `map` found: the records left to JavaScript (by place in the file) and the distinct bodies to enrich.
#[napi(object)]
pub struct MappedChunk {
    /// Why the fast path does not read this chunk at all (the caller takes the other path), if it does not.
    pub declined: Option<String>,
    pub mapped: u32,
    pub routed_offsets: Vec<i64>,
    pub routed_lengths: Vec<u32>,
    /// The distinct bodies of the mapped rows that JavaScript enriches (those where an entity extractor could
    /// find something), in the order `write` expects their findings. The others were enriched natively.
    pub bodies: Vec<String>,
}

#[napi(object)]
pub struct StagedMonthFile {
    pub month: String,
    pub file: String,
    pub rows: u32,
}

#[napi]
pub struct NdjsonChunkMapper {
    mapping: Mapping,
    staged: StagedRows,
    chunk_start: i64,
    max_record_bytes: usize,
    /// The mapped rows by UTC month (year * 12 + month).
    months: BTreeMap<i64, MonthRows>,
    mapped: u32,
    /// Where each distinct body's findings are: found natively (language), or by JavaScript.
    findings: Vec<Findings>,
    native_languages: Vec<Option<&'static str>>,
    js_bodies: usize,
}

#[derive(Clone, Copy)]
enum Findings {
    Native(u32),
    JavaScript(u32),
}

#[napi]
impl NdjsonChunkMapper {
    /// `config`: `{ mapping, platform, timezone, fields, constants, chunkStart, maxRecordBytes }` as JSON. Throws
    /// for a mapping this path does not read; the message says why.
    #[napi(constructor)]
    pub fn new(config: String) -> Result<Self> {
        let config: Json = serde_json::from_str(&config).map_err(failure)?;
        let text = |name: &str| {
            config
                .get(name)
                .and_then(Json::as_str)
                .ok_or_else(|| failure(format!("config.{name}")))
        };
        let mapping = Mapping::compile(&config["mapping"], text("platform")?, text("timezone")?).map_err(failure)?;
        let fields = staged_parquet::arrow_fields(&config["fields"]).map_err(failure)?;
        let constants = config["constants"]
            .as_object()
            .ok_or_else(|| failure("config.constants"))?
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(Self {
            mapping,
            staged: StagedRows::new(&fields, constants),
            chunk_start: config["chunkStart"]
                .as_i64()
                .ok_or_else(|| failure("config.chunkStart"))?,
            max_record_bytes: config["maxRecordBytes"]
                .as_u64()
                .ok_or_else(|| failure("config.maxRecordBytes"))? as usize,
            months: BTreeMap::new(),
            mapped: 0,
            findings: Vec::new(),
            native_languages: Vec::new(),
            js_bodies: 0,
        })
    }

    /// The zones the mapping reads zone-less times in: `offsetAt`'s first argument indexes this list.
    #[napi(getter)]
    pub fn zones(&self) -> Vec<String> {
        self.mapping.zones.clone()
    }

    /// Maps the chunk's bytes: `from` to `to` (exclusive) of `file`. `offsetAt(zone, year, month, day, hour)` gives the offset (minutes east
    /// of UTC) the zone applies to every wall time of that local hour, or null when it switches within the hour
    /// or the hour cannot be placed.
    #[napi]
    pub fn map(
        &mut self,
        file: String,
        from: i64,
        to: i64,
        offset_at: Function<FnArgs<(u32, u32, u32, u32, u32)>, Option<f64>>,
    ) -> Result<MappedChunk> {
        let file = std::fs::File::open(&file).map_err(failure)?;
        // Mapped, not read: the chunk's pages come from the page cache without a copy into fresh memory.
        // Safety: the file is the step's own copy of the chunk or write-once evidence: nothing changes it.
        let mapped = unsafe { memmap2::Mmap::map(&file) }.map_err(failure)?;
        let bytes = usize::try_from(from)
            .ok()
            .zip(usize::try_from(to).ok())
            .and_then(|(from, to)| mapped.get(from..to))
            .ok_or_else(|| failure(format!("bytes {from} to {to} are not in the file")))?;
        // Asked once per zone and local hour; consecutive records mostly share one.
        let mut offsets: FxHashMap<(usize, i64, i64, i64, i64), Option<i64>> = FxHashMap::default();
        let mut last: Option<((usize, i64, i64, i64, i64), Option<i64>)> = None;
        let mut js_error = None;
        let mut offset_of = |zone: usize, y: i64, m: i64, d: i64, h: i64| -> Option<i64> {
            let key = (zone, y, m, d, h);
            if let Some((k, offset)) = last {
                if k == key {
                    return offset;
                }
            }
            let offset = *offsets.entry(key).or_insert_with(|| {
                match offset_at.call((zone as u32, y as u32, m as u32, d as u32, h as u32).into()) {
                    Ok(offset) => offset.filter(|o| o.is_finite() && o.fract() == 0.0).map(|o| o as i64),
                    Err(e) => {
                        js_error = Some(e);
                        None
                    }
                }
            });
            last = Some((key, offset));
            offset
        };
        let mut distinct: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let escapes = memchr::memmem::Finder::new(b"\\u");
        let mut bodies = Vec::new();
        let mut routed_offsets = Vec::new();
        let mut routed_lengths = Vec::new();
        let mut pos = 0usize;
        while pos < bytes.len() {
            let newline = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
            let start = pos;
            pos = newline + 1;
            // As the record splitter cuts: without the line terminator (`\n` or `\r\n`), blank lines no record.
            let end = if newline > start && bytes[newline - 1] == b'\r' {
                newline - 1
            } else {
                newline
            };
            if end == start {
                continue;
            }
            let line = &bytes[start..end];
            if line.len() > self.max_record_bytes {
                return Ok(declined("a record longer than the record limit"));
            }
            if start == 0 && self.chunk_start == 0 && line.starts_with(BOM) {
                return Ok(declined("a byte-order mark"));
            }
            let offset = self.chunk_start + start as i64;
            let length = line.len() as i32;
            let value = parse_line(line, &escapes);
            match value.as_ref().and_then(|v| self.mapping.map(v, &mut offset_of)) {
                Some(row) => {
                    let body = row.body.as_deref().map(|b| match distinct.get(b) {
                        Some(&id) => id,
                        None => {
                            let id = self.findings.len() as u32;
                            let native = language::model().and_then(|m| language::enrich_without_entities(m, b));
                            self.findings.push(match native {
                                Some(language) => {
                                    self.native_languages.push(language);
                                    Findings::Native(self.native_languages.len() as u32 - 1)
                                }
                                None => {
                                    bodies.push(b.to_string());
                                    Findings::JavaScript(bodies.len() as u32 - 1)
                                }
                            });
                            distinct.insert(Box::from(b), id);
                            id
                        }
                    });
                    let (year, month) = timestamps::utc_year_month(row.sent_at);
                    self.months
                        .entry(year * 12 + month - 1)
                        .or_default()
                        .append(&row, offset, length, body);
                    self.mapped += 1;
                }
                None => {
                    routed_offsets.push(offset);
                    routed_lengths.push(length as u32);
                }
            }
        }
        if let Some(e) = js_error {
            return Err(e);
        }
        self.js_bodies = bodies.len();
        Ok(MappedChunk {
            declined: None,
            mapped: self.mapped,
            routed_offsets,
            routed_lengths,
            bodies,
        })
    }

    /// Writes the staged Parquet into `directory`, one file per month: the mapped rows with their bodies'
    /// findings (`enrichment`: NDJSON of `{ language, entities, mentioned_geo }`, one line per body in the order
    /// `map` gave them) and JavaScript's rows (`routed`: NDJSON of every column but the constants, times in
    /// epoch milliseconds, `routedRows` lines).
    #[napi]
    pub fn write(
        &mut self,
        directory: String,
        enrichment: String,
        routed: String,
        routed_rows: u32,
    ) -> Result<Vec<StagedMonthFile>> {
        let fields = self.staged.enrichment_fields();
        let from_js =
            decode_ndjson(&enrichment, &fields, self.js_bodies).map_err(|e| failure(format!("enrichment: {e}")))?;
        let native = staged_parquet::language_only(&fields, &self.native_languages).map_err(failure)?;
        let found = arrow_select::concat::concat_batches(&native.schema(), [&native, &from_js]).map_err(failure)?;
        // Each body's row in `found`: the natively enriched first, then JavaScript's.
        let rows_of_bodies: Vec<u32> = self
            .findings
            .iter()
            .map(|f| match *f {
                Findings::Native(i) => i,
                Findings::JavaScript(j) => self.native_languages.len() as u32 + j,
            })
            .collect();
        let mut batches: BTreeMap<String, Vec<arrow_array::RecordBatch>> = BTreeMap::new();
        for (index, rows) in std::mem::take(&mut self.months) {
            let month = format!("{:04}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1);
            let batch = self
                .staged
                .mapped_batch(rows, &found, &rows_of_bodies)
                .map_err(failure)?;
            batches.entry(month).or_default().push(batch);
        }
        if routed_rows > 0 {
            let rows = decode_ndjson(&routed, &self.staged.routed_fields(), routed_rows as usize)
                .map_err(|e| failure(format!("routed rows: {e}")))?;
            let rows = self.staged.with_constants(&rows).map_err(failure)?;
            for (month, picked) in months_of(&rows).map_err(failure)? {
                let indices = arrow_array::UInt32Array::from(picked);
                let columns = rows
                    .columns()
                    .iter()
                    .map(|c| arrow_select::take::take(c, &indices, None))
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(failure)?;
                let batch = arrow_array::RecordBatch::try_new(rows.schema(), columns).map_err(failure)?;
                batches.entry(month).or_default().push(batch);
            }
        }
        let files = self.staged.write(Path::new(&directory), batches).map_err(failure)?;
        Ok(files
            .into_iter()
            .map(|f| StagedMonthFile {
                month: f.month,
                file: f.file,
                rows: f.rows,
            })
            .collect())
    }
}

/// ngram-language-detector.ts's compiled tables (`languageTables()`), little-endian where they are numbers.
#[napi(object)]
pub struct LanguageTables {
    pub codes: Vec<String>,
    pub floors: Vec<f64>,
    pub table_bits: u32,
    pub slots: Buffer,
    pub entry_start: Buffer,
    pub language_of: Buffer,
    pub score_of: Buffer,
    pub byte_char: Buffer,
    pub letters: Buffer,
    pub lowercase_from: Vec<u32>,
    pub lowercase_to: Vec<String>,
}

/// Hands the language detector's tables to the native path, once per process (later calls change nothing).
#[napi]
pub fn set_language_tables(tables: LanguageTables) {
    let ints = |b: &Buffer| {
        b.chunks_exact(4)
            .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    };
    language::set_model(language::LanguageModel {
        codes: tables.codes,
        floors: tables.floors,
        table_bits: tables.table_bits,
        slots: ints(&tables.slots),
        entry_start: ints(&tables.entry_start),
        language_of: tables.language_of.to_vec(),
        score_of: ints(&tables.score_of),
        byte_char: tables.byte_char.to_vec(),
        letters: tables.letters.to_vec(),
        lowercase: tables.lowercase_from.into_iter().zip(tables.lowercase_to).collect(),
    });
}

/// Each text's language as the native detector finds it: its code, "" for none, or "?" where it leaves the
/// text to JavaScript. For the differential test of the two detectors.
#[napi]
pub fn native_languages(texts: Vec<String>) -> Vec<String> {
    answers(&texts, |model, t| {
        language::detect(model, t).map(|found| found.map(|l| model.codes[l].as_str()))
    })
}

/// What the native path finds in each body without JavaScript (see `language::enrich_without_entities`): its
/// language code, "" for none, or "?" where JavaScript enriches the body. For the differential test.
#[napi]
pub fn native_enrichment(bodies: Vec<String>) -> Vec<String> {
    answers(&bodies, language::enrich_without_entities)
}

/// Each text's language code, "" for none, "?" where JavaScript must answer (or the tables were never given).
fn answers(
    texts: &[String],
    answer: impl Fn(&'static language::LanguageModel, &str) -> Option<Option<&'static str>>,
) -> Vec<String> {
    texts
        .iter()
        .map(|t| match language::model().and_then(|model| answer(model, t)) {
            None => "?".to_string(),
            Some(found) => found.unwrap_or_default().to_string(),
        })
        .collect()
}

/// The code points beyond the BMP whose lower case differs from them, to Rust: texts holding one are left to
/// JavaScript's `toLowerCase` (the test checks JavaScript agrees on which they are).
#[napi]
pub fn astral_cased_code_points() -> Vec<u32> {
    (0x10000..=0x10ffff_u32)
        .filter_map(char::from_u32)
        .filter(|c| c.to_lowercase().ne(std::iter::once(*c)))
        .map(|c| c as u32)
        .collect()
}

fn declined(reason: &str) -> MappedChunk {
    MappedChunk {
        declined: Some(reason.to_string()),
        mapped: 0,
        routed_offsets: Vec::new(),
        routed_lengths: Vec::new(),
        bodies: Vec::new(),
    }
}

/// One line parsed, or `None` for JavaScript to read: text that is not UTF-8, a `\uD800`-style escape
/// (JSON.parse keeps a lone surrogate, which no Rust string holds), or JSON the parser refuses.
fn parse_line(line: &[u8], escapes: &memchr::memmem::Finder) -> Option<Value> {
    // sonic-rs refuses invalid UTF-8 itself (inside strings; elsewhere no byte beyond ASCII is JSON).
    if has_surrogate_escape(line, escapes) {
        return None;
    }
    sonic_rs::from_slice(line).ok()
}

fn has_surrogate_escape(line: &[u8], escapes: &memchr::memmem::Finder) -> bool {
    escapes.find_iter(line).any(|at| {
        matches!(line.get(at + 2), Some(b'd' | b'D'))
            && matches!(line.get(at + 3), Some(b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_to_javascript_what_is_no_utf8_or_holds_a_lone_surrogate_escape() {
        let escapes = memchr::memmem::Finder::new(b"\\u");
        assert!(parse_line(br#"{"a":"ok \u00e9"}"#, &escapes).is_some());
        assert!(parse_line(b"{\"a\":\"\xff\"}", &escapes).is_none());
        assert!(parse_line(b"{\"a\":\"\xc3\"}", &escapes).is_none());
        assert!(parse_line(b"{\"a\":1}\xff", &escapes).is_none());
        assert!(parse_line(br#"{"a":"\ud800"}"#, &escapes).is_none());
        assert!(parse_line(br#"{"a":"\uDBFF\uDFFF"}"#, &escapes).is_none());
    }
}
