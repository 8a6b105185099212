//! One message: refused with a reason, or read into a [`ParsedMessage`] with
//! what was odd about it in `warnings`.

use super::{
    Address, AttachmentMeta, MAX_MESSAGE_BYTES, MAX_RECIPIENTS_KEPT, MailError, Owner, ParsedMessage, html,
};
use adjutant_core::mail::triage::Signals;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::{HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType};

/// How much of the text the triage signals keep.
pub const SIGNAL_TEXT_BYTES: usize = 8 * 1024;

/// Parses one message (the raw bytes of a `.eml` file or an mbox entry).
///
/// Refused: no bytes ([`MailError::Empty`]), over 25 MiB
/// ([`MailError::TooLarge`]), binary data or no header field at the start
/// ([`MailError::Malformed`], saying which). Kept with a warning: an unknown
/// charset (read as UTF-8, invalid bytes replaced), recipients past the first
/// 200, a header not ended by a blank line, a multipart body without its
/// closing boundary (both mean the message was cut off), an unreadable date,
/// a part whose encoding could not be decoded in full.
pub fn parse(raw: &[u8]) -> Result<ParsedMessage, MailError> {
    let start = sniff(raw)?;
    let completed;
    let mut raw = &raw[start..];
    let header_cut = header_end(raw).is_none();
    if header_cut {
        // The last field would be lost without the line end and blank line.
        completed = [raw, b"\n\n"].concat();
        raw = &completed;
    }
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| MailError::Malformed("no header field could be read".into()))?;
    if msg.headers().is_empty() {
        return Err(MailError::Malformed("no header field could be read".into()));
    }
    let mut warnings = Vec::new();

    let from = msg.from().and_then(|a| a.iter().find_map(address));
    let reply_to = msg.reply_to().and_then(|a| a.iter().find_map(address));
    let mut recipient_count = 0usize;
    let mut to = Vec::new();
    let mut cc = Vec::new();
    for (list, out) in [(msg.to(), &mut to), (msg.cc(), &mut cc)] {
        for a in list.into_iter().flat_map(|a| a.iter()) {
            if let Some(a) = address(a) {
                recipient_count += 1;
                if recipient_count <= MAX_RECIPIENTS_KEPT {
                    out.push(a);
                }
            }
        }
    }
    if recipient_count > MAX_RECIPIENTS_KEPT {
        warnings.push(format!(
            "{recipient_count} recipients; the first {MAX_RECIPIENTS_KEPT} kept"
        ));
    }

    let date = msg
        .date()
        .filter(|d| d.is_valid())
        .and_then(|d| jiff::Timestamp::from_second(d.to_timestamp()).ok());
    if date.is_none() && msg.header_raw("Date").is_some() {
        warnings.push("the Date field could not be read".into());
    }

    let mut text = String::new();
    for i in 0..msg.text_body_count() {
        if let Some(t) = msg.body_text(i) {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&t);
        }
    }
    let html = msg
        .html_body
        .iter()
        .filter_map(|id| msg.parts.get(*id as usize))
        .find_map(|p| match &p.body {
            PartType::Html(h) => Some(html::sanitise(h)),
            _ => None,
        });

    let attachments = msg
        .attachments()
        .enumerate()
        .map(|(index, p)| meta(index, p))
        .collect();

    let bulk = !msg.list_unsubscribe().is_empty()
        || !msg.list_id().is_empty()
        || header_text(&msg, "Precedence")
            .is_some_and(|p| matches!(p.trim().to_ascii_lowercase().as_str(), "bulk" | "list" | "junk"));
    let auto_submitted = header_text(&msg, "Auto-Submitted")
        .is_some_and(|v| !v.trim().is_empty() && !v.trim().eq_ignore_ascii_case("no"));

    if header_cut {
        warnings
            .push("the header is not ended by a blank line: the message is cut off or has no body".into());
    }
    check_structure(raw, &msg, &mut warnings);

    Ok(ParsedMessage {
        message_id: msg.message_id().map(strip_id),
        in_reply_to: ids(msg.in_reply_to()),
        references: ids(msg.references()),
        from,
        reply_to,
        to,
        cc,
        recipient_count,
        subject: msg.subject().unwrap_or("").trim().to_string(),
        date,
        text,
        html,
        attachments,
        bulk,
        auto_submitted,
        warnings,
    })
}

/// One attachment's metadata and content, read from the raw message: the
/// content is decoded (base64, quoted-printable) but never held with the
/// parsed message.
pub fn attachment(raw: &[u8], index: usize) -> Option<(AttachmentMeta, Vec<u8>)> {
    let start = sniff(raw).ok()?;
    let msg = MessageParser::default().parse(&raw[start..])?;
    let part = msg.attachment(u32::try_from(index).ok()?)?;
    Some((meta(index, part), part.contents().to_vec()))
}

/// The triage signals of a parsed message; the caller then fills in what the
/// store knows (`sender`, `met_recently`, and `reply_to_ours` if it has no set of ids).
///
/// `to_me` and `cc_me` look at the recipients kept (the first 200).
pub fn signals(msg: &ParsedMessage, owner: &Owner<'_>) -> Signals {
    let mine = |a: &Address| owner.addresses.contains(&a.email);
    let to_me = msg.to.iter().any(mine);
    let cc_me = !to_me && msg.cc.iter().any(mine);
    let reply_to_ours = msg
        .in_reply_to
        .iter()
        .chain(&msg.references)
        .any(|id| owner.sent_ids.contains(id));
    let domain = |a: &Address| a.email.rsplit_once('@').map(|(_, d)| d.to_string());
    let reply_to_differs = match (&msg.from, &msg.reply_to) {
        (Some(f), Some(r)) => domain(f) != domain(r),
        _ => false,
    };
    let from = msg.from.as_ref();
    Signals {
        from: from.map(|a| a.email.clone()).unwrap_or_default(),
        from_name: from.and_then(|a| a.name.clone()).unwrap_or_default(),
        subject: msg.subject.clone(),
        text: cut(&msg.text, SIGNAL_TEXT_BYTES).to_string(),
        to_me,
        cc_me,
        recipients: msg.recipient_count,
        reply_to_ours,
        bulk: msg.bulk,
        auto_submitted: msg.auto_submitted,
        reply_to_differs,
        has_attachments: !msg.attachments.is_empty(),
        attachment_names: msg
            .attachments
            .iter()
            .filter(|a| !a.filename.is_empty())
            .map(|a| a.filename.to_lowercase())
            .collect(),
        ..Signals::default()
    }
}

/// The text cut to at most `max` bytes, on a character boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Where the header starts (after blank lines and an mbox `From ` line), or
/// why these bytes are not a message.
fn sniff(raw: &[u8]) -> Result<usize, MailError> {
    if raw.is_empty() {
        return Err(MailError::Empty);
    }
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(MailError::TooLarge {
            size: raw.len(),
            max: MAX_MESSAGE_BYTES,
        });
    }
    let mut start = raw
        .iter()
        .position(|b| !matches!(b, b'\r' | b'\n'))
        .ok_or_else(|| MailError::Malformed("only blank lines".into()))?;
    if raw[start..].starts_with(b"From ") {
        start += raw[start..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(raw.len() - start, |p| p + 1);
    }
    let rest = &raw[start..];
    if rest.is_empty() {
        return Err(MailError::Malformed(
            "an mbox `From ` line and nothing else".into(),
        ));
    }
    // Binary data: a NUL byte, or many control bytes, in the first 4 KiB.
    let head = &rest[..rest.len().min(4096)];
    if let Some(p) = head.iter().position(|b| *b == 0) {
        return Err(MailError::Malformed(format!(
            "binary data: a NUL byte at offset {}",
            start + p
        )));
    }
    let control = head
        .iter()
        .filter(|b| (**b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n' | 0x0c)) || **b == 0x7f)
        .count();
    if control * 20 > head.len() {
        return Err(MailError::Malformed(format!(
            "binary data: {control} control bytes in the first {} bytes",
            head.len()
        )));
    }
    let line_end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
    let line = &rest[..line_end];
    let name_len = line
        .iter()
        .position(|b| !(b'!'..=b'~').contains(b) || *b == b':')
        .unwrap_or(line.len());
    let after = line[name_len..].trim_ascii_start();
    if name_len == 0 || after.first() != Some(&b':') {
        let shown: String = String::from_utf8_lossy(&line[..line.len().min(40)])
            .chars()
            .map(|c| if c.is_control() { '·' } else { c })
            .collect();
        return Err(MailError::Malformed(format!(
            "no header field: the first line is not `Name: value` (it begins “{}”)",
            shown.trim_end()
        )));
    }
    Ok(start)
}

/// Warnings about the message's shape: a header not ended by a blank line,
/// a multipart body without its closing boundary, an unknown charset, a part
/// that could not be decoded in full.
fn check_structure(raw: &[u8], msg: &Message<'_>, warnings: &mut Vec<String>) {
    for (i, part) in msg.parts.iter().enumerate() {
        let Some(ct) = part.content_type() else {
            continue;
        };
        if ct.c_type.eq_ignore_ascii_case("multipart") {
            if let Some(b) = ct.attribute("boundary") {
                let close = format!("--{b}--");
                let from = (part.offset_body as usize).min(raw.len());
                if find(&raw[from..], close.as_bytes()).is_none() {
                    warnings.push(format!(
                        "the multipart/{} body has no closing boundary `{close}`: the message is cut off; what arrived is kept",
                        ct.c_subtype.as_deref().unwrap_or("mixed")
                    ));
                }
            }
        } else if ct.c_type.eq_ignore_ascii_case("text")
            && let Some(cs) = ct.attribute("charset")
            && !known_charset(cs)
        {
            warnings.push(format!("unknown charset `{cs}` in part {}; read as UTF-8", i + 1));
        }
        if part.is_encoding_problem {
            warnings.push(format!("part {} could not be decoded in full", i + 1));
        }
    }
}

/// Where the header's closing blank line is, if it has one.
fn header_end(raw: &[u8]) -> Option<usize> {
    if raw.starts_with(b"\n") || raw.starts_with(b"\r\n") {
        return Some(0);
    }
    match (find(raw, b"\n\n"), find(raw, b"\n\r\n")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn known_charset(cs: &str) -> bool {
    let l = cs.trim().to_ascii_lowercase();
    matches!(l.as_str(), "utf-8" | "utf8" | "us-ascii" | "ascii" | "")
        || charset_decoder(l.as_bytes()).is_some()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (first, rest) = needle.split_first()?;
    let mut from = 0;
    while from + needle.len() <= hay.len() {
        let p = from + hay[from..].iter().position(|b| b == first)?;
        if hay.get(p + 1..p + needle.len()) == Some(rest) {
            return Some(p);
        }
        from = p + 1;
    }
    None
}

fn header_text<'a>(msg: &'a Message<'_>, name: &str) -> Option<&'a str> {
    msg.headers()
        .iter()
        .find(|h| h.name.as_str().eq_ignore_ascii_case(name))
        .and_then(|h| h.value.as_text())
}

fn address(a: &mail_parser::Addr<'_>) -> Option<Address> {
    let email = a.address.as_deref()?.trim().to_lowercase();
    if email.is_empty() {
        return None;
    }
    Some(Address {
        name: a
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        email,
    })
}

fn strip_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![strip_id(t)],
        HeaderValue::TextList(l) => l.iter().map(|t| strip_id(t)).collect(),
        _ => Vec::new(),
    }
}

fn meta(index: usize, p: &MessagePart<'_>) -> AttachmentMeta {
    let content_type = p.content_type().map_or_else(
        || "application/octet-stream".to_string(),
        |ct| match &ct.c_subtype {
            Some(s) => format!("{}/{}", ct.c_type, s).to_lowercase(),
            None => ct.c_type.to_lowercase(),
        },
    );
    AttachmentMeta {
        index,
        filename: p.attachment_name().unwrap_or("").to_string(),
        content_type,
        size: p.len(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn refuses_what_is_not_a_message() {
        assert_eq!(parse(b""), Err(MailError::Empty));
        let e = parse(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err();
        assert!(
            matches!(&e, MailError::Malformed(r) if r.contains("binary data")),
            "{e}"
        );
        let e = parse(b"Dear Lena,\n\nthe report is attached.\n").unwrap_err();
        assert!(
            matches!(&e, MailError::Malformed(r) if r.contains("no header field") && r.contains("Dear Lena")),
            "{e}"
        );
    }

    #[test]
    fn cut_keeps_characters_whole() {
        assert_eq!(cut("aé", 2), "a");
        assert_eq!(cut("abc", 8), "abc");
    }
}
