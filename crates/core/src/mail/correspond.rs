//! Correspondence: reply templates with variables, the nudge drafted for a
//! message that got no reply, and the keep-in-touch cadence of contacts.

use crate::error::ValidationError;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;

/// The most a template (or a draft) may hold.
pub const MAX_BODY_CHARS: usize = 100_000;

/// Fills `{{name}}` placeholders from `vars`. An unknown or unclosed
/// placeholder is an error naming it, so nothing goes out half-filled.
pub fn render(template: &str, vars: &BTreeMap<&str, String>) -> Result<String, ValidationError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(ValidationError::field(
                "template",
                "a `{{` is never closed with `}}`",
            ));
        };
        let name = after[..end].trim();
        match vars.get(name) {
            Some(v) => out.push_str(v),
            None => {
                let known: Vec<&str> = vars.keys().copied().collect();
                return Err(ValidationError::field(
                    "template",
                    format!("unknown variable `{{{{{name}}}}}`; known: {}", known.join(", ")),
                ));
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Checks a template's name, subject and body, and that its placeholders are
/// among `known`.
pub fn check_template(name: &str, subject: &str, body: &str, known: &[&str]) -> Result<(), ValidationError> {
    let mut errors = Vec::new();
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 80 {
        errors.push(("name", "must be 1 to 80 characters".to_string()));
    }
    if subject.chars().count() > 300 {
        errors.push(("subject", "must be at most 300 characters".to_string()));
    }
    if body.trim().is_empty() || body.chars().count() > MAX_BODY_CHARS {
        errors.push(("body", format!("must be 1 to {MAX_BODY_CHARS} characters")));
    }
    let vars: BTreeMap<&str, String> = known.iter().map(|k| (*k, String::new())).collect();
    for (field, text) in [("subject", subject), ("body", body)] {
        if let Err(e) = render(text, &vars) {
            for fe in e.errors {
                errors.push((field, fe.message));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ValidationError {
            errors: errors
                .into_iter()
                .map(|(f, m)| crate::error::FieldError {
                    field: f.to_string(),
                    message: m,
                })
                .collect(),
        })
    }
}

/// "Re: …" once, however many times it is answered.
pub fn reply_subject(subject: &str) -> String {
    let s = subject.trim();
    let lower = s.to_lowercase();
    if lower.starts_with("re:") || lower.starts_with("aw:") || lower.starts_with("sv:") {
        s.to_string()
    } else if s.is_empty() {
        "Re: (no subject)".to_string()
    } else {
        format!("Re: {s}")
    }
}

/// The nudge drafted for a sent message with no reply after `days`.
pub fn nudge(subject: &str, recipient_name: &str, days: u32, sender_name: &str) -> (String, String) {
    let first = recipient_name
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches('"');
    let greeting = if first.is_empty() || first.contains('@') {
        "Hello,".to_string()
    } else {
        format!("Hi {first},")
    };
    let when = match days {
        0 | 1 => "yesterday".to_string(),
        d if d < 7 => format!("{d} days ago"),
        d if d < 14 => "last week".to_string(),
        d => format!("{} weeks ago", d / 7),
    };
    let body = format!(
        "{greeting}\n\nI wanted to follow up on my message from {when} (\"{}\"). \
         Could you let me know where this stands?\n\nThank you,\n{sender_name}\n",
        subject.trim()
    );
    (reply_subject(subject), body)
}

/// Whether a sent message is due for a follow-up at `now`: `days` have passed and no reply came.
pub fn followup_due(sent_at: Timestamp, days: u32, replied: bool, now: Timestamp) -> bool {
    !replied && now >= sent_at + SignedDuration::from_hours(24 * i64::from(days))
}

/// When a contact is due for keeping in touch: days overdue (0 = due today)
/// counted from the last interaction either way (mail or meeting), or none
/// when there is no cadence or a meeting is already planned.
pub fn keep_in_touch_overdue(
    last: Option<Timestamp>,
    next_meeting: Option<Timestamp>,
    cadence_days: Option<u32>,
    now: Timestamp,
) -> Option<i64> {
    let cadence = i64::from(cadence_days?);
    if next_meeting.is_some_and(|n| n > now) {
        return None;
    }
    let Some(last) = last else {
        return Some(0);
    };
    let due = last + SignedDuration::from_hours(24 * cadence);
    if now < due {
        return None;
    }
    Some((now.duration_since(due).as_secs()) / 86_400)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<&'static str, String> {
        BTreeMap::from([("first_name", "Maya".to_string()), ("date", "Friday".to_string())])
    }

    #[test]
    fn fills_placeholders_and_names_unknown_ones() {
        assert_eq!(
            render("Hi {{ first_name }}, see you {{date}}.", &vars()).unwrap(),
            "Hi Maya, see you Friday."
        );
        let e = render("Hi {{nickname}}", &vars()).unwrap_err();
        assert!(e.summary().contains("`{{nickname}}`"), "{}", e.summary());
        let e = render("Hi {{first_name", &vars()).unwrap_err();
        assert!(e.summary().contains("never closed"));
        assert_eq!(render("no placeholders", &vars()).unwrap(), "no placeholders");
    }

    #[test]
    fn checks_templates_field_by_field() {
        let e = check_template("", "Re {{x}}", "", &["first_name"]).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "body", "subject"]);
        assert!(
            check_template(
                "Decline",
                "Re: {{first_name}}",
                "Dear {{first_name}}",
                &["first_name"]
            )
            .is_ok()
        );
    }

    #[test]
    fn reply_subject_is_prefixed_once() {
        assert_eq!(reply_subject("Budget"), "Re: Budget");
        assert_eq!(reply_subject("RE: Budget"), "RE: Budget");
        assert_eq!(reply_subject(""), "Re: (no subject)");
    }

    #[test]
    fn nudge_greets_by_first_name() {
        let (s, b) = nudge("Board deck", "Maya Chen", 4, "Lena");
        assert_eq!(s, "Re: Board deck");
        assert!(b.starts_with("Hi Maya,"));
        assert!(b.contains("4 days ago"));
        let (_, b) = nudge("x", "maya@example.com", 10, "Lena");
        assert!(b.starts_with("Hello,"));
    }

    #[test]
    fn followups_and_cadence() {
        let t: Timestamp = "2026-12-01T09:00:00Z".parse().unwrap();
        let day = SignedDuration::from_hours(24);
        assert!(!followup_due(t, 3, false, t + day * 2));
        assert!(followup_due(t, 3, false, t + day * 3));
        assert!(!followup_due(t, 3, true, t + day * 30));
        assert_eq!(keep_in_touch_overdue(Some(t), None, None, t + day * 100), None);
        assert_eq!(keep_in_touch_overdue(Some(t), None, Some(30), t + day * 29), None);
        assert_eq!(
            keep_in_touch_overdue(Some(t), None, Some(30), t + day * 32),
            Some(2)
        );
        assert_eq!(keep_in_touch_overdue(None, None, Some(30), t), Some(0));
        assert_eq!(
            keep_in_touch_overdue(Some(t), Some(t + day * 40), Some(30), t + day * 35),
            None
        );
    }
}
