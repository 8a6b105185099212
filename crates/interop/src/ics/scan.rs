//! The structure of an iCalendar text before any value is read: logical
//! (unfolded) lines with the physical line each starts on, and the nesting of
//! `BEGIN`/`END` components.
//!
//! calcard reads the values but keeps no positions, and in its lenient mode it
//! silently closes a component the file never ends. This scan is what lets every
//! error and every skipped item name its line, and what refuses a truncated file.

use super::IcsError;
use std::borrow::Cow;

/// One content line of a component (BEGIN and END excluded), unfolded.
#[derive(Debug)]
pub(crate) struct Prop<'a> {
    /// The physical line (1-based) the content line starts on.
    pub line: usize,
    text: Cow<'a, str>,
    name_end: usize,
    value_start: usize,
}

impl Prop<'_> {
    /// The property name as written (compare case-insensitively).
    pub fn name(&self) -> &str {
        &self.text[..self.name_end]
    }

    /// The value as written: everything after the first colon outside quotes.
    pub fn value(&self) -> &str {
        &self.text[self.value_start..]
    }
}

/// One component, e.g. a VEVENT, with its own content lines.
#[derive(Debug)]
pub(crate) struct Comp<'a> {
    /// The component name, upper-cased (`VEVENT`, `X-WR-THING`).
    pub name: String,
    /// The line of its `BEGIN`.
    pub line: usize,
    /// The index of the enclosing component within the same [`Top`].
    pub parent: Option<usize>,
    pub props: Vec<Prop<'a>>,
}

/// A component at the top of the file (normally a VCALENDAR), with the text it
/// spans and every component inside it, in the order their `BEGIN`s appear
/// (index 0 is the top component itself) — the order calcard numbers them in.
#[derive(Debug)]
pub(crate) struct Top<'a> {
    pub text: &'a str,
    pub comps: Vec<Comp<'a>>,
}

/// What the scan found.
#[derive(Debug)]
pub(crate) struct Scan<'a> {
    pub tops: Vec<Top<'a>>,
    /// Lines with content outside every component (reported, not fatal).
    pub stray_lines: Vec<usize>,
}

/// A physical line: its number, its byte range in the text (without the line
/// break) and the offset just past its line break.
struct Physical<'a> {
    number: usize,
    start: usize,
    text: &'a str,
    next: usize,
}

fn physical_lines(text: &str) -> impl Iterator<Item = Physical<'_>> {
    let mut pos = 0;
    let mut number = 0;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        number += 1;
        let rest = &text[pos..];
        let (body, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], pos + i + 1),
            None => (rest, text.len()),
        };
        let body = body.strip_suffix('\r').unwrap_or(body);
        let line = Physical {
            number,
            start: pos,
            text: body,
            next,
        };
        pos = next;
        Some(line)
    })
}

/// A logical line: the physical lines it was folded over, joined.
struct Logical<'a> {
    number: usize,
    start: usize,
    end: usize,
    text: Cow<'a, str>,
}

fn logical_lines(text: &str) -> impl Iterator<Item = Logical<'_>> {
    let mut lines = physical_lines(text).peekable();
    std::iter::from_fn(move || {
        let first = lines.next()?;
        let mut logical = Logical {
            number: first.number,
            start: first.start,
            end: first.next,
            text: Cow::Borrowed(first.text),
        };
        // RFC 5545 §3.1: a line break followed by one space or tab continues the line.
        while let Some(next) = lines.peek() {
            let Some(rest) = next.text.strip_prefix([' ', '\t']) else {
                break;
            };
            logical.text.to_mut().push_str(rest);
            logical.end = next.next;
            lines.next();
        }
        Some(logical)
    })
}

/// Where the name ends and the value starts: the name runs to the first `;`
/// or `:`, the value starts after the first `:` outside double quotes.
fn split_line(line: &str) -> Option<(usize, usize)> {
    let name_end = line.find([';', ':'])?;
    let mut quoted = false;
    for (i, c) in line[name_end..].char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some((name_end, name_end + i + 1)),
            _ => {}
        }
    }
    None
}

/// Reads the structure of `text` (a byte-order mark already removed).
pub(crate) fn scan(text: &str) -> Result<Scan<'_>, IcsError> {
    let mut tops: Vec<Top<'_>> = Vec::new();
    let mut stray_lines = Vec::new();
    // The component being read (index into the current top's comps), innermost last.
    let mut stack: Vec<usize> = Vec::new();
    let mut top_start = 0;
    let mut current: Vec<Comp<'_>> = Vec::new();

    for line in logical_lines(text) {
        let t = line.text.trim_end();
        if t.trim_start().is_empty() {
            continue;
        }
        let Some((name_end, value_start)) = split_line(t) else {
            if stack.is_empty() {
                stray_lines.push(line.number);
            }
            // A line without a colon carries no value; calcard drops it too.
            continue;
        };
        let name = t[..name_end].trim();
        if name.eq_ignore_ascii_case("BEGIN") {
            let kind = t[value_start..].trim().to_ascii_uppercase();
            if stack.is_empty() {
                top_start = line.start;
                current = Vec::new();
            }
            current.push(Comp {
                name: kind,
                line: line.number,
                parent: stack.last().copied(),
                props: Vec::new(),
            });
            stack.push(current.len() - 1);
        } else if name.eq_ignore_ascii_case("END") {
            let kind = t[value_start..].trim();
            let Some(open) = stack.pop() else {
                return Err(IcsError::at(
                    line.number,
                    None,
                    format!("END:{kind} closes a component that was never begun"),
                ));
            };
            let comp = &current[open];
            if !comp.name.eq_ignore_ascii_case(kind) {
                return Err(IcsError::at(
                    line.number,
                    None,
                    format!(
                        "END:{kind} does not close {} (begun at line {}); the file is damaged",
                        comp.name, comp.line
                    ),
                ));
            }
            if stack.is_empty() {
                tops.push(Top {
                    text: &text[top_start..line.end],
                    comps: std::mem::take(&mut current),
                });
            }
        } else if let Some(&open) = stack.last() {
            let trimmed_start = t.len() - t.trim_start().len();
            let text = match line.text {
                Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
                Cow::Owned(o) => Cow::Owned(o.trim().to_string()),
            };
            current[open].props.push(Prop {
                line: line.number,
                text,
                name_end: name_end - trimmed_start,
                value_start: value_start - trimmed_start,
            });
        } else {
            stray_lines.push(line.number);
        }
    }

    if let Some(&open) = stack.last() {
        let inner = &current[open];
        let uid = inner
            .props
            .iter()
            .find(|p| p.name().trim().eq_ignore_ascii_case("UID"))
            .map(|p| p.value().trim())
            .filter(|u| !u.is_empty());
        let label = match uid {
            Some(u) => format!("{} {u}", inner.name),
            None => inner.name.clone(),
        };
        return Err(IcsError::at(
            inner.line,
            Some(&label),
            format!("the file ends before END:{}; it is truncated", inner.name),
        ));
    }
    Ok(Scan { tops, stray_lines })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn unfolds_and_numbers_lines() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Board\r\n  meeting\r\nDTSTART\n ;TZID=Europe/Berlin\n :20261201T090000\nATTENDEE;CN=\"Doe: J\":mailto:j@x\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let scan = scan(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(scan.tops.len(), 1);
        let ev = &scan.tops[0].comps[1];
        assert_eq!((ev.name.as_str(), ev.line, ev.parent), ("VEVENT", 2, Some(0)));
        let p: Vec<(&str, &str, usize)> = ev.props.iter().map(|p| (p.name(), p.value(), p.line)).collect();
        assert_eq!(
            p,
            [
                ("SUMMARY", "Board meeting", 3),
                ("DTSTART", "20261201T090000", 5),
                ("ATTENDEE", "mailto:j@x", 8)
            ]
        );
    }

    #[test]
    fn refuses_truncation_and_mismatched_ends() {
        let e = scan("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\n").err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("line 2 (VEVENT): the file ends before END:VEVENT; it is truncated")
        );
        let e = scan("BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VTODO\nEND:VCALENDAR\n").err();
        assert!(
            e.map(|e| e.to_string())
                .unwrap_or_default()
                .starts_with("line 3: END:VTODO")
        );
    }
}
