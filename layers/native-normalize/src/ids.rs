//! Deterministic ids, byte for byte as message-ids.ts makes them (its comments say why they are so).

use crate::js_text::js_compare;
use sha2::{Digest, Sha256};

fn digest(parts: &[&str], hex_chars: usize) -> String {
    let mut hash = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hash.update([0u8]);
        }
        hash.update(part.as_bytes());
    }
    let bytes = hash.finalize();
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(hex_chars);
    for b in bytes.iter().take(hex_chars.div_ceil(2)) {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out.truncate(hex_chars);
    out
}

pub fn message_id_from_native(platform: &str, native_id: &str) -> String {
    digest(&["native", platform, native_id], 32)
}

pub fn message_id_from_content(
    platform: &str,
    sender: &str,
    sent_at_millis: i64,
    recipients: &[impl AsRef<str>],
    body: Option<&str>,
) -> String {
    let mut sorted: Vec<&str> = recipients.iter().map(AsRef::as_ref).collect();
    sorted.sort_by(|a, b| js_compare(a, b));
    let millis = sent_at_millis.to_string();
    digest(
        &[
            "content",
            platform,
            sender,
            &millis,
            &sorted.join(","),
            body.unwrap_or(""),
        ],
        32,
    )
}

pub fn conversation_id(group_id: Option<&str>, sender: &str, recipients: &[impl AsRef<str>]) -> String {
    if let Some(group) = group_id.filter(|g| !g.is_empty()) {
        return format!("group:{group}");
    }
    let mut participants: Vec<&str> = Vec::with_capacity(recipients.len() + 1);
    for handle in std::iter::once(sender).chain(recipients.iter().map(AsRef::as_ref)) {
        if !participants.contains(&handle) {
            participants.push(handle);
        }
    }
    participants.sort_by(|a, b| js_compare(a, b));
    let kind = if participants.len() <= 2 { "dm" } else { "adhoc" };
    format!("{kind}:{}", digest(&participants, 20))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_conversation_by_its_sorted_participants() {
        let pair = conversation_id(None, "B", &["A".to_string()]);
        assert_eq!(pair, conversation_id(None, "A", &["B".to_string(), "A".to_string()]));
        assert!(pair.starts_with("dm:") && pair.len() == 23);
        assert_eq!(conversation_id(Some("G1"), "A", &[] as &[&str]), "group:G1");
    }
}
