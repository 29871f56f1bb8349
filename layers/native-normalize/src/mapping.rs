//! A mapping file (mapping-schema.ts) applied to one parsed NDJSON record exactly as compile-mapping.ts
//! applies it, for the records where that is certain. Anything else (a record the mapping rejects, a value
//! whose text only JavaScript can spell, an hour in which the zone switches) returns `None`: that record goes to the
//! JavaScript mapping, which maps or rejects it with its own reason.

use crate::ids::{conversation_id, message_id_from_content, message_id_from_native};
use crate::js_text::{apply_transform, js_trim, Transform};
use crate::timestamps::{ParsedTime, TimeFormat};
use serde_json::Value as Json;
use sonic_rs::{JsonContainerTrait, JsonValueTrait, Value};
use std::borrow::Cow;

/// Largest integer a JavaScript number holds exactly: beyond it, `String(n)` is JavaScript's to spell.
const SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Names JavaScript finds on every object (`obj.constructor`): a path through one is not plain data.
const PROTOTYPE_NAMES: [&str; 12] = [
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
];

/// One canonical message as the mapping makes it; the chunk's constants and enrichment are added on writing.
/// Texts borrow from the parsed record (or the mapping's constants) wherever the mapping leaves them as they are.
#[derive(Debug, Clone)]
pub struct MappedRow<'a> {
    pub message_id: String,
    pub native_id: Option<Text<'a>>,
    pub conversation_id: String,
    pub sent_at: i64,
    pub sent_at_raw: Text<'a>,
    pub timezone_assumed: bool,
    pub received_at: Option<i64>,
    pub read_at: Option<i64>,
    pub sender: Text<'a>,
    pub sender_device: Option<Text<'a>>,
    pub recipients: Vec<Text<'a>>,
    pub body: Option<Text<'a>>,
    pub geo: Option<(f64, f64)>,
}

type Text<'a> = Cow<'a, str>;

/// A dotted path: the index of its first key among the mapping's top-level keys, then the keys below it.
struct Path {
    top: usize,
    rest: Vec<String>,
}

/// Most mappings read a handful of top-level keys; a record's are found in one pass over its object.
const MAX_TOP_KEYS: usize = 32;

/// One record's values under the mapping's top-level keys (the last of repeated keys, as in `JSON.parse`).
pub struct Record<'v> {
    top: [Option<&'v Value>; MAX_TOP_KEYS],
}

struct Condition {
    path: Path,
    equals: String,
}

enum Source {
    Path(Path),
    Const(String),
}

struct ValueSpec {
    source: Source,
    transforms: Vec<Transform>,
    when: Option<Condition>,
}

struct ListSpec {
    value: ValueSpec,
    split: Option<String>,
}

struct TimeSpec {
    value: ValueSpec,
    format: TimeFormat,
    /// Index into the zones the caller resolves days in.
    zone: usize,
}

pub struct Mapping {
    platform: String,
    native_id: Option<ValueSpec>,
    sender: ValueSpec,
    sender_device: Option<ValueSpec>,
    recipients: Option<ListSpec>,
    group: Option<ValueSpec>,
    sent_at: TimeSpec,
    received_at: Option<TimeSpec>,
    read_at: Option<TimeSpec>,
    body: Option<ValueSpec>,
    latitude: Option<ValueSpec>,
    longitude: Option<ValueSpec>,
    /// The IANA zones the time fields read zone-less times in; index = `TimeSpec::zone`.
    pub zones: Vec<String>,
    top_keys: Vec<String>,
}

/// Why a mapping is not for this fast path: the chunk then takes the other one.
pub type Unsupported = String;

impl Mapping {
    /// Compiles a validated NDJSON mapping (the mapping file's `fields`) for `platform`, times without a zone in
    /// `manifest_zone` unless a field names its own.
    pub fn compile(mapping: &Json, platform: &str, manifest_zone: &str) -> Result<Self, Unsupported> {
        if mapping.pointer("/input/type").and_then(Json::as_str) != Some("ndjson") {
            return Err("not an NDJSON mapping".into());
        }
        let fields = mapping.get("fields").ok_or("a mapping without fields")?;
        let mut zones = Vec::new();
        let top_keys = std::cell::RefCell::new(Vec::new());
        let compile_value = |spec: &Json| compile_value(spec, &mut top_keys.borrow_mut());
        let value = |name: &str| fields.get(name).map(compile_value).transpose();
        let mut time = |name: &str| -> Result<Option<TimeSpec>, Unsupported> {
            let Some(spec) = fields.get(name) else { return Ok(None) };
            let format = spec
                .get("format")
                .and_then(Json::as_str)
                .ok_or("a time without a format")?;
            let zone = spec
                .get("zone")
                .and_then(Json::as_str)
                .unwrap_or(manifest_zone)
                .to_string();
            let index = zones.iter().position(|z| *z == zone).unwrap_or_else(|| {
                zones.push(zone);
                zones.len() - 1
            });
            Ok(Some(TimeSpec {
                value: compile_value(spec)?,
                format: TimeFormat::compile(format).ok_or_else(|| format!("time format \"{format}\""))?,
                zone: index,
            }))
        };
        let sent_at = time("sent_at")?.ok_or("a mapping without sent_at")?;
        let received_at = time("received_at")?;
        let read_at = time("read_at")?;
        let recipients = fields
            .get("recipients")
            .map(|spec| {
                Ok::<_, Unsupported>(ListSpec {
                    value: compile_value(spec)?,
                    split: spec.get("split").and_then(Json::as_str).map(str::to_string),
                })
            })
            .transpose()?;
        Ok(Self {
            platform: platform.to_string(),
            native_id: value("native_id")?,
            sender: value("sender")?.ok_or("a mapping without sender")?,
            sender_device: value("sender_device")?,
            recipients,
            group: value("group")?,
            sent_at,
            received_at,
            read_at,
            body: value("body")?,
            latitude: value("latitude")?,
            longitude: value("longitude")?,
            zones,
            top_keys: top_keys.into_inner(),
        })
        .and_then(|m| {
            if m.top_keys.len() > MAX_TOP_KEYS {
                return Err(format!("a mapping reading more than {MAX_TOP_KEYS} top-level keys"));
            }
            Ok(m)
        })
    }

    /// The record's values under the mapping's top-level keys, or `None` for a record that is no object.
    fn record<'a>(&self, value: &'a Value) -> Option<Record<'a>> {
        let object = value.as_object()?;
        let mut top = [None; MAX_TOP_KEYS];
        for (key, v) in object.iter() {
            if let Some(i) = self.top_keys.iter().position(|k| k.len() == key.len() && k == key) {
                top[i] = Some(v);
            }
        }
        Some(Record { top })
    }

    /// The record as a canonical message, or `None` where the JavaScript mapping must decide.
    pub fn map<'a>(
        &'a self,
        value: &'a Value,
        offset_at: &mut dyn FnMut(usize, i64, i64, i64, i64) -> Option<i64>,
    ) -> Option<MappedRow<'a>> {
        let record = &self.record(value)?;
        let sender = read_value(&self.sender, record)??;
        let sent_raw = read_value(&self.sent_at.value, record)??;
        let sent = self.time(&self.sent_at, &sent_raw, offset_at)?;
        let received_at = self.optional_time(self.received_at.as_ref(), record, offset_at)?;
        let read_at = self.optional_time(self.read_at.as_ref(), record, offset_at)?;
        let lat = self.number(self.latitude.as_ref(), record)?;
        let lon = self.number(self.longitude.as_ref(), record)?;
        let geo = match (lat, lon) {
            (None, None) => None,
            (Some(lat), Some(lon)) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => Some((lat, lon)),
            _ => return None, // the JavaScript mapping rejects it, with its reason
        };
        let recipients = match &self.recipients {
            Some(spec) => read_list(spec, record)?,
            None => Vec::new(),
        };
        let native_id = self.optional(self.native_id.as_ref(), record)?;
        let body = self.optional(self.body.as_ref(), record)?;
        let group = self.optional(self.group.as_ref(), record)?;
        let message_id = match native_id.as_deref() {
            // An empty constant is no native id, as in JavaScript (`native ? ... : ...`).
            Some(native) if !native.is_empty() => message_id_from_native(&self.platform, native),
            _ => message_id_from_content(&self.platform, &sender, sent.utc_millis, &recipients, body.as_deref()),
        };
        let conversation_id = conversation_id(group.as_deref(), &sender, &recipients);
        Some(MappedRow {
            message_id,
            conversation_id,
            native_id,
            sent_at: sent.utc_millis,
            sent_at_raw: sent_raw,
            timezone_assumed: sent.zone_assumed,
            received_at,
            read_at,
            sender_device: self.optional(self.sender_device.as_ref(), record)?,
            sender,
            recipients,
            body,
            geo,
        })
    }

    fn optional<'a>(&self, spec: Option<&'a ValueSpec>, record: &Record<'a>) -> Option<Option<Text<'a>>> {
        match spec {
            Some(spec) => read_value(spec, record),
            None => Some(None),
        }
    }

    fn time(
        &self,
        spec: &TimeSpec,
        raw: &str,
        offset_at: &mut dyn FnMut(usize, i64, i64, i64, i64) -> Option<i64>,
    ) -> Option<ParsedTime> {
        spec.format
            .parse(raw, &mut |y, m, d, h| offset_at(spec.zone, y, m, d, h))
    }

    fn optional_time(
        &self,
        spec: Option<&TimeSpec>,
        record: &Record,
        offset_at: &mut dyn FnMut(usize, i64, i64, i64, i64) -> Option<i64>,
    ) -> Option<Option<i64>> {
        let Some(spec) = spec else { return Some(None) };
        match read_value(&spec.value, record)? {
            None => Some(None),
            Some(raw) => Some(Some(self.time(spec, &raw, offset_at)?.utc_millis)),
        }
    }

    /// parseNumber(): a plain decimal (a comma for its point allowed), or a JSON number taken as it is.
    fn number(&self, spec: Option<&ValueSpec>, record: &Record) -> Option<Option<f64>> {
        let Some(spec) = spec else { return Some(None) };
        if spec.transforms.is_empty() && spec.when.is_none() {
            if let Source::Path(path) = &spec.source {
                if let Some(v) = lookup(record, path)? {
                    if v.is_number() {
                        let n = v.as_f64()?;
                        // `String(-0)` is "0": the JavaScript mapping reads 0.
                        return n.is_finite().then_some(Some(if n == 0.0 { 0.0 } else { n }));
                    }
                }
            }
        }
        let Some(text) = read_value(spec, record)? else {
            return Some(None);
        };
        let t = js_trim(&text).replacen(',', ".", 1);
        let digits = t.strip_prefix(['-', '+']).unwrap_or(&t);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
        let plain = !whole.is_empty()
            && !fraction.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.bytes().all(|b| b.is_ascii_digit());
        if !plain {
            return None;
        }
        let n: f64 = t.parse().ok()?;
        Some(Some(if n == 0.0 { 0.0 } else { n }))
    }
}

fn compile_path(text: &str, top_keys: &mut Vec<String>) -> Result<Path, Unsupported> {
    let mut parts: Vec<String> = text.split('.').map(str::to_string).collect();
    if parts.iter().any(|p| PROTOTYPE_NAMES.contains(&p.as_str())) {
        return Err(format!(
            "the path \"{text}\" names a property every JavaScript object has"
        ));
    }
    let first = parts.remove(0);
    let top = top_keys.iter().position(|k| *k == first).unwrap_or_else(|| {
        top_keys.push(first);
        top_keys.len() - 1
    });
    Ok(Path { top, rest: parts })
}

fn compile_value(spec: &Json, top_keys: &mut Vec<String>) -> Result<ValueSpec, Unsupported> {
    let source = match (
        spec.get("from").and_then(Json::as_str),
        spec.get("const").and_then(Json::as_str),
    ) {
        (_, Some(c)) => Source::Const(c.to_string()),
        (Some(from), None) => Source::Path(compile_path(from, top_keys)?),
        (None, None) => return Err("a field without from or const".into()),
    };
    let transforms = spec
        .get("transform")
        .and_then(Json::as_array)
        .map(|list| {
            list.iter()
                .map(|t| {
                    t.as_str()
                        .and_then(Transform::parse)
                        .ok_or_else(|| format!("transform {t}"))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let when = spec
        .get("when")
        .map(|w| {
            Ok::<_, Unsupported>(Condition {
                path: compile_path(
                    w.get("from").and_then(Json::as_str).ok_or("a condition without from")?,
                    top_keys,
                )?,
                equals: w
                    .get("equals")
                    .and_then(Json::as_str)
                    .ok_or("a condition without equals")?
                    .to_string(),
            })
        })
        .transpose()?;
    Ok(ValueSpec {
        source,
        transforms,
        when,
    })
}

/// The value at a dotted path: `Some(None)` where JavaScript reads `undefined`, `None` where only JavaScript
/// knows (a path through an array). Of repeated keys the last counts, as in `JSON.parse`.
fn lookup<'a>(record: &Record<'a>, path: &Path) -> Option<Option<&'a Value>> {
    let Some(mut v) = record.top[path.top] else {
        return Some(None);
    };
    for part in &path.rest {
        if v.is_array() {
            return None;
        }
        let Some(object) = v.as_object() else { return Some(None) };
        match object.iter().filter(|(k, _)| *k == part.as_str()).last() {
            Some((_, found)) => v = found,
            None => return Some(None),
        }
    }
    Some(Some(v))
}

/// toText(): the value as the mapping's text, `Some(None)` for null or undefined; `None` where JavaScript
/// alone spells it (an object, a fraction, a number beyond 2^53).
fn to_text(v: Option<&Value>) -> Option<Option<Cow<'_, str>>> {
    let Some(v) = v else { return Some(None) };
    if v.is_null() {
        return Some(None);
    }
    if let Some(s) = v.as_str() {
        return Some(Some(Cow::Borrowed(s)));
    }
    if let Some(b) = v.as_bool() {
        return Some(Some(Cow::Borrowed(if b { "true" } else { "false" })));
    }
    if let Some(i) = v.as_i64() {
        return ((i as f64).abs() <= SAFE_INTEGER).then(|| Some(Cow::Owned(i.to_string())));
    }
    if let Some(u) = v.as_u64() {
        return ((u as f64) <= SAFE_INTEGER).then(|| Some(Cow::Owned(u.to_string())));
    }
    None
}

fn read_raw<'a>(spec: &'a ValueSpec, record: &Record<'a>) -> Option<Option<Text<'a>>> {
    if let Some(when) = &spec.when {
        let gate = to_text(lookup(record, &when.path)?)?;
        if gate.as_deref() != Some(when.equals.as_str()) {
            return Some(None);
        }
    }
    match &spec.source {
        Source::Const(c) => Some(Some(Cow::Borrowed(c))),
        Source::Path(path) => to_text(lookup(record, path)?),
    }
}

/// compileValue(): the text, transformed; empty text is no value.
fn read_value<'a>(spec: &'a ValueSpec, record: &Record<'a>) -> Option<Option<Text<'a>>> {
    let Some(mut text) = read_raw(spec, record)? else {
        return Some(None);
    };
    if spec.transforms.is_empty() && matches!(spec.source, Source::Const(_)) {
        return Some(Some(text)); // a constant is taken as it is, even empty
    }
    for t in &spec.transforms {
        text = apply_transform(*t, text)?;
    }
    Some((!text.is_empty()).then_some(text))
}

/// compileList(): an array's items, or the text split; each transformed, empty ones dropped.
fn read_list<'a>(spec: &'a ListSpec, record: &Record<'a>) -> Option<Vec<Text<'a>>> {
    let value = &spec.value;
    if let Some(when) = &value.when {
        let gate = to_text(lookup(record, &when.path)?)?;
        if gate.as_deref() != Some(when.equals.as_str()) {
            return Some(Vec::new());
        }
    }
    let items: Vec<Text<'a>> = match &value.source {
        Source::Const(c) if c.is_empty() => return Some(Vec::new()),
        Source::Const(c) => split(spec, Cow::Borrowed(c)),
        Source::Path(path) => match lookup(record, path)? {
            None => return Some(Vec::new()),
            Some(v) if v.is_null() => return Some(Vec::new()),
            Some(v) => match v.as_array() {
                Some(array) => array
                    .iter()
                    .map(|item| to_text(Some(item)).map(Option::unwrap_or_default))
                    .collect::<Option<Vec<_>>>()?,
                None => {
                    let text = to_text(Some(v))??;
                    if text.is_empty() {
                        return Some(Vec::new());
                    }
                    split(spec, text)
                }
            },
        },
    };
    let mut out = Vec::with_capacity(items.len());
    for mut item in items {
        for t in &value.transforms {
            item = apply_transform(*t, item)?;
        }
        if !item.is_empty() {
            out.push(item);
        }
    }
    Some(out)
}

fn split<'a>(spec: &ListSpec, text: Text<'a>) -> Vec<Text<'a>> {
    match (&spec.split, text) {
        (None, text) => vec![text],
        (Some(separator), Cow::Borrowed(s)) => s.split(separator.as_str()).map(Cow::Borrowed).collect(),
        (Some(separator), Cow::Owned(s)) => s.split(separator.as_str()).map(|p| Cow::Owned(p.to_string())).collect(),
    }
}
