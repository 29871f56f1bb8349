//! JavaScript's string semantics where the mapping relies on them (compile-mapping.ts). Where Rust's own
//! functions differ from JavaScript's (case mapping beyond ASCII), the caller routes the record to the
//! JavaScript mapping instead of guessing.

use std::borrow::Cow;
use std::cmp::Ordering;

/// `String.prototype.trim`'s set: WhiteSpace (tab, VT, FF, space, NBSP, BOM, the Zs category) and LineTerminator.
fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{0009}'..='\u{000D}'
            | '\u{0020}'
            | '\u{00A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
            | '\u{FEFF}'
    )
}

pub fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_whitespace)
}

/// A mapping transform applied as JavaScript applies it, or `None` where only JavaScript knows the answer.
/// Text the transform leaves as it is (the common case) is not copied.
pub fn apply_transform(transform: Transform, text: Cow<'_, str>) -> Option<Cow<'_, str>> {
    let s: &str = &text;
    Some(match transform {
        Transform::Trim => narrow(text, js_trim),
        Transform::Lowercase | Transform::Uppercase if !s.is_ascii() => return None,
        Transform::Lowercase if !s.bytes().any(|b| b.is_ascii_uppercase()) => text,
        Transform::Lowercase => Cow::Owned(s.to_ascii_lowercase()),
        Transform::Uppercase if !s.bytes().any(|b| b.is_ascii_lowercase()) => text,
        Transform::Uppercase => Cow::Owned(s.to_ascii_uppercase()),
        Transform::BareJid => {
            let bare = narrow(text, |s| s.split_once('/').map_or(s, |(b, _)| b));
            return apply_transform(Transform::Lowercase, bare);
        }
        Transform::JidResource => narrow(text, |s| s.split_once('/').map_or(&s[s.len()..], |(_, r)| r)),
        // `\D` without the u flag: everything but ASCII digits goes.
        Transform::Digits if s.bytes().all(|b| b.is_ascii_digit()) => text,
        Transform::Digits => Cow::Owned(s.chars().filter(char::is_ascii_digit).collect()),
    })
}

/// A part of the text, borrowed where the text is.
fn narrow<'t>(text: Cow<'t, str>, part: impl Fn(&str) -> &str) -> Cow<'t, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(part(s)),
        Cow::Owned(s) => {
            let p = part(&s);
            if p.len() == s.len() {
                Cow::Owned(s)
            } else {
                Cow::Owned(p.to_string())
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transform {
    Trim,
    Lowercase,
    Uppercase,
    BareJid,
    JidResource,
    Digits,
}

impl Transform {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "trim" => Self::Trim,
            "lowercase" => Self::Lowercase,
            "uppercase" => Self::Uppercase,
            "bare-jid" => Self::BareJid,
            "jid-resource" => Self::JidResource,
            "digits" => Self::Digits,
            _ => return None,
        })
    }
}

/// JavaScript's default sort order of strings: by UTF-16 code units, which differs from UTF-8 byte order
/// for characters beyond the Basic Multilingual Plane.
pub fn js_compare(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_what_javascript_trims_and_keeps_what_it_keeps() {
        assert_eq!(js_trim("\u{FEFF}\u{3000} a b\u{2029}\t"), "a b");
        // U+0085 is whitespace to Rust but not to JavaScript.
        assert_eq!(js_trim("\u{0085}a"), "\u{0085}a");
    }

    #[test]
    fn leaves_non_ascii_case_to_javascript() {
        let apply = |t, s: &str| apply_transform(t, Cow::Borrowed(s)).map(Cow::into_owned);
        assert_eq!(apply(Transform::Uppercase, "ab1"), Some("AB1".into()));
        assert_eq!(apply(Transform::Uppercase, "straße"), None);
        assert_eq!(apply(Transform::Digits, "+31 ６12"), Some("3112".into()));
        assert_eq!(apply(Transform::BareJid, "Bob@X.org/phone"), Some("bob@x.org".into()));
        assert_eq!(apply(Transform::JidResource, "bob@x.org"), Some(String::new()));
        assert_eq!(apply(Transform::JidResource, "bob@x.org/a/b"), Some("a/b".into()));
        assert!(matches!(
            apply_transform(Transform::Trim, Cow::Borrowed(" AB ")),
            Some(Cow::Borrowed("AB"))
        ));
    }

    #[test]
    fn sorts_by_utf16_code_units() {
        // U+FF61 sorts after U+1F600 by UTF-8 bytes, before it by UTF-16 code units.
        assert_eq!(js_compare("\u{FF61}", "\u{1F600}"), Ordering::Greater);
        assert_eq!("\u{FF61}".cmp("\u{1F600}"), Ordering::Less);
    }
}
