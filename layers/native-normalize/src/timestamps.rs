//! Source timestamps read exactly as timestamp-parser.ts reads them. A time without a zone is placed by the
//! offset of its local hour, which the caller supplies (from the same JavaScript functions the adapter uses);
//! an hour in which the zone switches, and any text the parser would refuse, is left to JavaScript (`None`).

use crate::js_text::js_trim;
use regex::Regex;

/// The last millisecond of 2100, the latest time any format reads (LATEST_MILLIS).
const LATEST_MILLIS: i64 = 4_133_980_799_999;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedTime {
    pub utc_millis: i64,
    pub zone_assumed: bool,
}

/// The wall time a pattern read, before it is placed in a zone.
#[derive(Clone, Copy, Debug, Default)]
struct Parts {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
    offset: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Millis,
    AmPm,
    Offset,
}

/// One piece of a pattern whose every token has a fixed width: parsed by position, no regular expression.
#[derive(Clone, Debug)]
enum FixedPiece {
    Digits { at: usize, width: usize, slot: Slot },
    Literal { at: usize, text: String },
}

#[derive(Debug)]
enum Format {
    EpochSeconds,
    EpochMillis,
    Iso,
    Fixed { len: usize, pieces: Vec<FixedPiece> },
    Pattern { regex: Regex, slots: Vec<Slot> },
}

#[derive(Debug)]
pub struct TimeFormat {
    format: Format,
    iso: Regex,
}

// The tokens of timestamp-parser.ts, longest first: [token, regex, slot, fixed width].
const TOKENS: [(&str, &str, Slot, usize); 15] = [
    ("yyyy", "([0-9]{4})", Slot::Year, 4),
    ("SSS", "([0-9]{1,9})", Slot::Millis, 0),
    ("XXX", "(Z|[+-][0-9]{2}:?[0-9]{2})", Slot::Offset, 0),
    ("MM", "([0-9]{2})", Slot::Month, 2),
    ("dd", "([0-9]{2})", Slot::Day, 2),
    ("HH", "([0-9]{2})", Slot::Hour, 2),
    ("hh", "([0-9]{2})", Slot::Hour, 2),
    ("mm", "([0-9]{2})", Slot::Minute, 2),
    ("ss", "([0-9]{2})", Slot::Second, 2),
    ("M", "([0-9]{1,2})", Slot::Month, 0),
    ("d", "([0-9]{1,2})", Slot::Day, 0),
    ("H", "([0-9]{1,2})", Slot::Hour, 0),
    ("h", "([0-9]{1,2})", Slot::Hour, 0),
    ("a", "([AaPp][Mm])", Slot::AmPm, 0),
    ("Z", "(Z|[+-][0-9]{2}:?[0-9]{2})", Slot::Offset, 0),
];

const ISO: &str = r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?\s*(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$";

impl TimeFormat {
    /// Compiles a format once; `None` for one this fast path does not read (the chunk takes the other path).
    pub fn compile(format: &str) -> Option<Self> {
        // JavaScript's `\s` (in the ISO form) is its whitespace set; Rust's Unicode `\s` differs at U+0085 and
        // U+180E, so the set is spelled out.
        let iso = Regex::new(&ISO.replace(
            r"\s",
            "[\\t\\n\\x0B\\x0C\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]",
        ))
        .ok()?;
        let format = match format {
            "epoch-seconds" => Format::EpochSeconds,
            "epoch-millis" => Format::EpochMillis,
            "iso8601" => Format::Iso,
            pattern => compile_pattern(pattern)?,
        };
        Some(Self { format, iso })
    }

    /// The instant `text` names, or `None` where JavaScript must decide (a refusal, a day the zone switches).
    pub fn parse(
        &self,
        text: &str,
        offset_at: &mut dyn FnMut(i64, i64, i64, i64) -> Option<i64>,
    ) -> Option<ParsedTime> {
        let trimmed = js_trim(text);
        match &self.format {
            Format::EpochSeconds | Format::EpochMillis => {
                let scale = if matches!(self.format, Format::EpochSeconds) {
                    1000.0
                } else {
                    1.0
                };
                if !is_decimal(trimmed) {
                    return None;
                }
                let ms = js_round(trimmed.parse::<f64>().ok()? * scale);
                (0.0..=LATEST_MILLIS as f64).contains(&ms).then_some(ParsedTime {
                    utc_millis: ms as i64,
                    zone_assumed: false,
                })
            }
            Format::Iso => {
                let m = self.iso.captures(trimmed)?;
                let num = |i: usize| m.get(i).map(|g| g.as_str().parse::<i64>().unwrap_or(0));
                let parts = Parts {
                    year: num(1)?,
                    month: num(2)?,
                    day: num(3)?,
                    hour: num(4)?,
                    minute: num(5)?,
                    second: num(6).unwrap_or(0),
                    millis: m.get(7).map_or(0, |g| fraction_to_millis(g.as_str())),
                    offset: m.get(8).map(|g| parse_offset(g.as_str())),
                };
                finish(parts, offset_at)
            }
            Format::Fixed { len, pieces } => {
                let bytes = trimmed.as_bytes();
                if bytes.len() != *len {
                    return None;
                }
                let mut parts = Parts {
                    month: 1,
                    day: 1,
                    ..Parts::default()
                };
                for piece in pieces {
                    match piece {
                        FixedPiece::Literal { at, text } => {
                            if &bytes[*at..*at + text.len()] != text.as_bytes() {
                                return None;
                            }
                        }
                        FixedPiece::Digits { at, width, slot } => {
                            let mut value = 0i64;
                            for &b in &bytes[*at..*at + *width] {
                                if !b.is_ascii_digit() {
                                    return None;
                                }
                                value = value * 10 + i64::from(b - b'0');
                            }
                            set(&mut parts, *slot, value);
                        }
                    }
                }
                finish(parts, offset_at)
            }
            Format::Pattern { regex, slots } => {
                let m = regex.captures(trimmed)?;
                let mut parts = Parts {
                    month: 1,
                    day: 1,
                    ..Parts::default()
                };
                let mut pm = None;
                for (i, slot) in slots.iter().enumerate() {
                    let value = m.get(i + 1)?.as_str();
                    match slot {
                        Slot::AmPm => pm = Some(value.eq_ignore_ascii_case("pm")),
                        Slot::Offset => parts.offset = Some(parse_offset(value)),
                        Slot::Millis => parts.millis = fraction_to_millis(value),
                        other => set(&mut parts, *other, value.parse().ok()?),
                    }
                }
                if let Some(pm) = pm {
                    if !(1..=12).contains(&parts.hour) {
                        return None;
                    }
                    parts.hour = parts.hour % 12 + if pm { 12 } else { 0 };
                }
                finish(parts, offset_at)
            }
        }
    }
}

fn set(parts: &mut Parts, slot: Slot, value: i64) {
    match slot {
        Slot::Year => parts.year = value,
        Slot::Month => parts.month = value,
        Slot::Day => parts.day = value,
        Slot::Hour => parts.hour = value,
        Slot::Minute => parts.minute = value,
        Slot::Second => parts.second = value,
        Slot::Millis | Slot::AmPm | Slot::Offset => {}
    }
}

/// compilePattern: a fixed layout when every token has a fixed width (the common case), else a regex.
fn compile_pattern(format: &str) -> Option<Format> {
    let mut source = String::from("^");
    let mut slots = Vec::new();
    let mut pieces = Vec::new();
    let mut fixed = true;
    let mut at = 0usize; // byte position in a matching text, while the layout is fixed
    let mut i = 0usize;
    let chars: Vec<char> = format.chars().collect();
    let literal = |text: &str, pieces: &mut Vec<FixedPiece>, source: &mut String, at: &mut usize| {
        source.push_str(&regex::escape(text));
        pieces.push(FixedPiece::Literal {
            at: *at,
            text: text.to_string(),
        });
        *at += text.len();
    };
    while i < chars.len() {
        if chars[i] == '\'' {
            let close = chars[i + 1..].iter().position(|&c| c == '\'')? + i + 1;
            let text: String = chars[i + 1..close].iter().collect();
            literal(&text, &mut pieces, &mut source, &mut at);
            i = close + 1;
            continue;
        }
        let rest: String = chars[i..].iter().collect();
        if let Some(&(token, pattern, slot, width)) = TOKENS.iter().find(|t| rest.starts_with(t.0)) {
            source.push_str(pattern);
            slots.push(slot);
            if width == 0 {
                fixed = false;
            } else {
                pieces.push(FixedPiece::Digits { at, width, slot });
                at += width;
            }
            i += token.chars().count();
        } else {
            literal(&chars[i].to_string(), &mut pieces, &mut source, &mut at);
            i += 1;
        }
    }
    if ![Slot::Year, Slot::Month, Slot::Day].iter().all(|s| slots.contains(s)) {
        return None;
    }
    source.push('$');
    if fixed && !slots.contains(&Slot::AmPm) {
        return Some(Format::Fixed { len: at, pieces });
    }
    Some(Format::Pattern {
        regex: Regex::new(&source).ok()?,
        slots,
    })
}

/// finish(): the date must exist and lie in 1970–2100; a zone-less time takes its local hour's offset.
fn finish(p: Parts, offset_at: &mut dyn FnMut(i64, i64, i64, i64) -> Option<i64>) -> Option<ParsedTime> {
    if !(1..=12).contains(&p.month) || p.day < 1 || p.hour > 23 || p.minute > 59 || p.second > 59 {
        return None;
    }
    if !(1970..=2100).contains(&p.year) || p.day > days_in_month(p.year, p.month) {
        return None;
    }
    let local = days_from_civil(p.year, p.month, p.day) * 86_400_000
        + p.hour * 3_600_000
        + p.minute * 60_000
        + p.second * 1000
        + p.millis;
    if let Some(offset) = p.offset {
        return Some(ParsedTime {
            utc_millis: local - offset * 60_000,
            zone_assumed: false,
        });
    }
    let offset = offset_at(p.year, p.month, p.day, p.hour)?;
    Some(ParsedTime {
        utc_millis: local - offset * 60_000,
        zone_assumed: true,
    })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The UTC month of an instant, as `YYYY-MM`.
pub fn utc_month(millis: i64) -> String {
    let (year, month) = utc_year_month(millis);
    format!("{year:04}-{month:02}")
}

/// The UTC year and month of an instant (the inverse of `days_from_civil`).
pub fn utc_year_month(millis: i64) -> (i64, i64) {
    let days = millis.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month)
}

fn parse_offset(text: &str) -> i64 {
    if text == "Z" {
        return 0;
    }
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let digits: String = text[1..].replacen(':', "", 1);
    let hours: i64 = digits.get(0..2).and_then(|d| d.parse().ok()).unwrap_or(0);
    let minutes: i64 = digits.get(2..4).and_then(|d| d.parse().ok()).unwrap_or(0);
    sign * (hours * 60 + minutes)
}

/// `Math.floor(Number('0.' + fraction) * 1000)`, with JavaScript's double arithmetic.
fn fraction_to_millis(fraction: &str) -> i64 {
    (format!("0.{fraction}").parse::<f64>().unwrap_or(0.0) * 1000.0).floor() as i64
}

/// `/^-?\d+(\.\d+)?$/`
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// `Math.round`: the nearest integer, a tie going up (towards +∞).
fn js_round(x: f64) -> f64 {
    let floor = x.floor();
    if x - floor >= 0.5 {
        floor + 1.0
    } else {
        floor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amsterdam(y: i64, m: i64, _d: i64, _h: i64) -> Option<i64> {
        Some(if (4..=9).contains(&m) || y < 0 { 120 } else { 60 })
    }

    fn parse(format: &str, text: &str) -> Option<ParsedTime> {
        TimeFormat::compile(format).unwrap().parse(text, &mut amsterdam)
    }

    #[test]
    fn reads_a_fixed_pattern_by_position_in_the_days_offset() {
        // 2020-03-01 01:23:18 at +01:00
        assert_eq!(
            parse("yyyy-MM-dd HH:mm:ss", " 2020-03-01 01:23:18 "),
            Some(ParsedTime {
                utc_millis: 1_583_022_198_000,
                zone_assumed: true
            })
        );
        assert_eq!(parse("yyyy-MM-dd HH:mm:ss", "2020-02-30 01:23:18"), None);
        assert_eq!(parse("yyyy-MM-dd HH:mm:ss", "2020-03-01T01:23:18"), None);
        assert_eq!(parse("yyyy-MM-dd HH:mm:ss", "1969-12-31 23:00:00"), None);
    }

    #[test]
    fn reads_variable_patterns_iso_and_epochs_as_javascript_does() {
        // 13:23 at +01:00
        assert_eq!(
            parse("d/M/yyyy h:mm a", "1/3/2020 1:23 PM").unwrap().utc_millis,
            1_583_065_380_000
        );
        assert_eq!(
            parse("iso8601", "2020-03-01T01:23:18.5+02:00").unwrap().utc_millis,
            1_583_018_598_500
        );
        assert_eq!(
            parse("epoch-seconds", "1583022198.5").unwrap().utc_millis,
            1_583_022_198_500
        );
        assert_eq!(parse("epoch-millis", "-1"), None);
        assert_eq!(
            parse("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2020-03-01T01:23:18.29Z")
                .unwrap()
                .utc_millis,
            1_583_025_798_290
        );
    }

    #[test]
    fn names_the_utc_month() {
        assert_eq!(utc_month(1_583_022_198_000), "2020-03");
        assert_eq!(utc_month(0), "1970-01");
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }
}
