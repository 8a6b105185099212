//! Meetings from agenda to minutes: the agenda (items with an owner, a
//! time-box, notes and materials), minutes and decisions; seeding a new agenda
//! from what is still open; the recap sent afterwards; and the rules for
//! attached files.
//!
//! Action items are tasks (`crate::tasks::task::TaskData::from_meeting`), so
//! they land in their owners' task lists and commitments like any other work.

use crate::error::{FieldError, ValidationError};
use crate::ids::{MaterialId, MeetingId, PersonId, TaskId};
use crate::macros::named_enum;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The most items on one agenda.
pub const MAX_AGENDA_ITEMS: usize = 100;
/// The longest time-box: a working day.
pub const MAX_TIMEBOX_MINUTES: u32 = 480;
/// The largest attached file.
pub const MAX_MATERIAL_BYTES: usize = 10 * 1024 * 1024;
/// How much two meetings' internal attendees must overlap (shared ÷ all, in
/// percent) to count as "the same people".
pub const SAME_PEOPLE_PERCENT: usize = 67;

named_enum!(
    /// Where an agenda item stands after the meeting.
    ItemStatus, "status", {
        Open = "open",
        /// Settled: not carried to the next meeting.
        Resolved = "resolved",
        /// Put off: carried to the next meeting.
        Deferred = "deferred",
    }
);

/// Where a seeded agenda item came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ItemSource {
    /// An unresolved item of the previous meeting of the series.
    Carried { meeting: MeetingId, item: String },
    /// An action item still open from an earlier meeting of the same people.
    ActionItem { task: TaskId },
    /// A task tagged or linked for this meeting.
    Task { task: TaskId },
}

/// One point on the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaItem {
    /// Stable within the meeting (decisions and materials refer to it).
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub owner: Option<PersonId>,
    /// Minutes set aside for it.
    #[serde(default)]
    pub minutes: Option<u32>,
    #[serde(default)]
    pub notes: String,
    pub status: ItemStatus,
    #[serde(default)]
    pub source: Option<ItemSource>,
    #[serde(default)]
    pub materials: Vec<MaterialId>,
}

/// Something the meeting decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub id: String,
    pub text: String,
    /// The agenda item it settles.
    #[serde(default)]
    pub item: Option<String>,
}

/// What is written about one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingNotes {
    #[serde(default)]
    pub agenda: Vec<AgendaItem>,
    /// Free notes taken during the meeting.
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub decisions: Vec<Decision>,
}

impl MeetingNotes {
    /// Names every field at fault (`agenda[2].minutes`, `decisions[0].text`, …).
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        let mut bad = |field: String, message: String| errors.push(FieldError { field, message });
        if self.agenda.len() > MAX_AGENDA_ITEMS {
            bad("agenda".into(), format!("at most {MAX_AGENDA_ITEMS} items"));
        }
        let mut ids = BTreeSet::new();
        for (i, item) in self.agenda.iter().enumerate() {
            let title = item.title.trim();
            if title.is_empty() || title.chars().count() > 300 {
                bad(format!("agenda[{i}].title"), "must be 1 to 300 characters".into());
            }
            if item.id.trim().is_empty() || !ids.insert(item.id.as_str()) {
                bad(format!("agenda[{i}].id"), "must be present and unique".into());
            }
            if let Some(m) = item.minutes
                && (m == 0 || m > MAX_TIMEBOX_MINUTES)
            {
                bad(
                    format!("agenda[{i}].minutes"),
                    format!("{m} is not 1 to {MAX_TIMEBOX_MINUTES} minutes"),
                );
            }
            if item.notes.chars().count() > 20_000 {
                bad(
                    format!("agenda[{i}].notes"),
                    "must be at most 20000 characters".into(),
                );
            }
        }
        if self.minutes.chars().count() > 100_000 {
            bad("minutes".into(), "must be at most 100000 characters".into());
        }
        if self.decisions.len() > 100 {
            bad("decisions".into(), "at most 100 decisions".into());
        }
        for (i, d) in self.decisions.iter().enumerate() {
            let text = d.text.trim();
            if text.is_empty() || text.chars().count() > 2_000 {
                bad(
                    format!("decisions[{i}].text"),
                    "must be 1 to 2000 characters".into(),
                );
            }
            if let Some(item) = &d.item
                && !ids.contains(item.as_str())
            {
                bad(format!("decisions[{i}].item"), format!("no agenda item `{item}`"));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }

    /// Minutes time-boxed on the agenda.
    pub fn planned_minutes(&self) -> u32 {
        self.agenda.iter().filter_map(|i| i.minutes).sum()
    }
}

/// A task as the seeder sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedTask {
    pub id: TaskId,
    pub title: String,
    /// Who does it.
    pub doer: PersonId,
    /// "due 2026-12-03", "overdue since 2026-11-30", or empty.
    pub due_label: String,
}

/// What a new agenda is seeded from.
#[derive(Debug, Clone, Default)]
pub struct Seed<'a> {
    /// The previous meeting of the same series, and its notes.
    pub previous: Option<(MeetingId, &'a MeetingNotes)>,
    /// Action items still open from earlier meetings of the same people.
    pub open_action_items: Vec<SeedTask>,
    /// Open tasks tagged or linked for this meeting.
    pub tagged_tasks: Vec<SeedTask>,
}

/// The items seeding adds to `current`: the previous meeting's open and
/// deferred items, a follow-up for each open action item, and the tasks for
/// this meeting — each once, and none already on the agenda (seeding twice adds
/// nothing). `new_id` names each new item.
pub fn seed(current: &MeetingNotes, from: &Seed<'_>, mut new_id: impl FnMut() -> String) -> Vec<AgendaItem> {
    // A task shows up once, whether it came as an action item or as a tagged task.
    let key = |s: &ItemSource| match s {
        ItemSource::Carried { meeting, item } => format!("{meeting}/{item}"),
        ItemSource::ActionItem { task } | ItemSource::Task { task } => task.to_string(),
    };
    let mut seen: BTreeSet<String> = current
        .agenda
        .iter()
        .filter_map(|i| i.source.as_ref())
        .map(key)
        .collect();
    let mut out: Vec<AgendaItem> = Vec::new();
    let mut push =
        |source: ItemSource, title: String, owner: Option<PersonId>, notes: String, minutes: Option<u32>| {
            if seen.insert(key(&source)) {
                out.push(AgendaItem {
                    id: new_id(),
                    title,
                    owner,
                    minutes,
                    notes,
                    status: ItemStatus::Open,
                    source: Some(source),
                    materials: vec![],
                });
            }
        };
    if let Some((meeting, prev)) = from.previous {
        for item in prev.agenda.iter().filter(|i| i.status != ItemStatus::Resolved) {
            push(
                ItemSource::Carried {
                    meeting,
                    item: item.id.clone(),
                },
                item.title.clone(),
                item.owner,
                item.notes.clone(),
                item.minutes,
            );
        }
    }
    for t in &from.open_action_items {
        let notes = if t.due_label.is_empty() {
            "Open action item from an earlier meeting.".to_string()
        } else {
            format!("Open action item from an earlier meeting, {}.", t.due_label)
        };
        push(
            ItemSource::ActionItem { task: t.id },
            format!("Follow up: {}", t.title),
            Some(t.doer),
            notes,
            None,
        );
    }
    for t in &from.tagged_tasks {
        push(
            ItemSource::Task { task: t.id },
            t.title.clone(),
            Some(t.doer),
            t.due_label.clone(),
            None,
        );
    }
    out
}

/// Whether two meetings are of "the same people": their internal attendees
/// overlap by at least [`SAME_PEOPLE_PERCENT`] (shared ÷ all). Organisers count
/// as attendees.
pub fn same_people(a: &BTreeSet<PersonId>, b: &BTreeSet<PersonId>) -> bool {
    let all = a.union(b).count();
    let shared = a.intersection(b).count();
    all > 0 && shared * 100 >= all * SAME_PEOPLE_PERCENT
}

/// One action item in a recap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecapAction {
    pub title: String,
    pub owner: String,
    /// `2026-12-09`, or empty.
    pub due: String,
}

/// What a recap says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecapInput {
    pub title: String,
    /// When, as the reader should see it ("Mon 7 Dec 2026, 14:00–15:30 (Europe/Amsterdam)").
    pub when: String,
    pub attendees: Vec<String>,
    /// Agenda items with their owner's name, status and notes.
    pub agenda: Vec<(AgendaItem, Option<String>)>,
    pub decisions: Vec<String>,
    pub actions: Vec<RecapAction>,
    pub minutes: String,
}

/// The recap as Markdown, ready to paste into a mail.
pub fn recap_markdown(r: &RecapInput) -> String {
    let mut s = format!("# Recap: {}\n\n{}\n", r.title, r.when);
    if !r.attendees.is_empty() {
        s.push_str(&format!("\nAttendees: {}\n", r.attendees.join(", ")));
    }
    s.push_str("\n## Decisions\n\n");
    if r.decisions.is_empty() {
        s.push_str("No decisions were recorded.\n");
    }
    for d in &r.decisions {
        s.push_str(&format!("- {}\n", one_line(d)));
    }
    s.push_str("\n## Action items\n\n");
    if r.actions.is_empty() {
        s.push_str("No action items.\n");
    } else {
        s.push_str("| What | Who | Due |\n| --- | --- | --- |\n");
        for a in &r.actions {
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                cell(&a.title),
                cell(&a.owner),
                if a.due.is_empty() { "—" } else { &a.due }
            ));
        }
    }
    if !r.agenda.is_empty() {
        s.push_str("\n## Agenda\n\n");
        for (i, (item, owner)) in r.agenda.iter().enumerate() {
            let who = owner.as_deref().map(|o| format!(" ({o})")).unwrap_or_default();
            let status = match item.status {
                ItemStatus::Open => "",
                ItemStatus::Resolved => " — resolved",
                ItemStatus::Deferred => " — deferred to the next meeting",
            };
            s.push_str(&format!("{}. {}{who}{status}\n", i + 1, one_line(&item.title)));
            for line in item.notes.lines().filter(|l| !l.trim().is_empty()) {
                s.push_str(&format!("   {}\n", line.trim_end()));
            }
        }
    }
    if !r.minutes.trim().is_empty() {
        s.push_str(&format!("\n## Notes\n\n{}\n", r.minutes.trim()));
    }
    s
}

/// The recap as plain text, for mail clients that show no Markdown.
pub fn recap_text(r: &RecapInput) -> String {
    let mut s = format!("Recap: {}\n{}\n", r.title, r.when);
    if !r.attendees.is_empty() {
        s.push_str(&format!("Attendees: {}\n", r.attendees.join(", ")));
    }
    s.push_str("\nDECISIONS\n");
    if r.decisions.is_empty() {
        s.push_str("  (none recorded)\n");
    }
    for d in &r.decisions {
        s.push_str(&format!("  * {}\n", one_line(d)));
    }
    s.push_str("\nACTION ITEMS\n");
    if r.actions.is_empty() {
        s.push_str("  (none)\n");
    }
    for a in &r.actions {
        let due = if a.due.is_empty() {
            String::new()
        } else {
            format!(", due {}", a.due)
        };
        s.push_str(&format!("  * {} — {}{due}\n", one_line(&a.title), a.owner));
    }
    if !r.minutes.trim().is_empty() {
        s.push_str(&format!("\nNOTES\n{}\n", r.minutes.trim()));
    }
    s
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cell(s: &str) -> String {
    one_line(s).replace('|', "\\|")
}

/// What kind of file an attachment is, by its first bytes and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialKind {
    pub content_type: &'static str,
    /// The name to keep: no folders, no control characters, at most 200 characters.
    pub filename: String,
}

/// Checks an attached file: not empty, at most [`MAX_MATERIAL_BYTES`], and a
/// PDF, an image (PNG, JPEG, GIF, WebP), an Office or OpenDocument file, or
/// UTF-8 text (`.txt`, `.md`, `.csv`). The type is read from the content, not
/// trusted from the name or the sender: a program renamed `.pdf` is refused.
pub fn check_material(filename: &str, bytes: &[u8]) -> Result<MaterialKind, ValidationError> {
    let name: String = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ValidationError::field(
            "file",
            "needs a name of 1 to 200 characters",
        ));
    }
    if bytes.is_empty() {
        return Err(ValidationError::field("file", format!("`{name}` is empty")));
    }
    if bytes.len() > MAX_MATERIAL_BYTES {
        return Err(ValidationError::field(
            "file",
            format!(
                "`{name}` is {:.1} MiB; at most {} MiB may be attached",
                bytes.len() as f64 / (1024.0 * 1024.0),
                MAX_MATERIAL_BYTES / (1024 * 1024)
            ),
        ));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let sniffed = if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"PK\x03\x04") {
        match ext.as_str() {
            "docx" => Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "pptx" => Some("application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            "odt" => Some("application/vnd.oasis.opendocument.text"),
            "ods" => Some("application/vnd.oasis.opendocument.spreadsheet"),
            "odp" => Some("application/vnd.oasis.opendocument.presentation"),
            _ => None,
        }
    } else if !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        match ext.as_str() {
            "txt" | "text" => Some("text/plain; charset=utf-8"),
            "md" | "markdown" => Some("text/markdown; charset=utf-8"),
            "csv" => Some("text/csv; charset=utf-8"),
            _ => None,
        }
    } else {
        None
    };
    sniffed
        .map(|content_type| MaterialKind {
            content_type,
            filename: name.clone(),
        })
        .ok_or_else(|| {
            ValidationError::field(
                "file",
                format!(
                    "`{name}` is not a file type meetings take: PDF, PNG, JPEG, GIF, WebP, \
                     Word/Excel/PowerPoint or OpenDocument, or UTF-8 text (.txt, .md, .csv)"
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn p(n: u128) -> PersonId {
        PersonId(uuid::Uuid::from_u128(n))
    }
    fn t(n: u128) -> TaskId {
        TaskId(uuid::Uuid::from_u128(n))
    }
    fn item(id: &str, title: &str, status: ItemStatus) -> AgendaItem {
        AgendaItem {
            id: id.into(),
            title: title.into(),
            owner: Some(p(1)),
            minutes: Some(10),
            notes: String::new(),
            status,
            source: None,
            materials: vec![],
        }
    }

    #[test]
    fn seeding_carries_open_points_follow_ups_and_tagged_tasks_once() {
        let prev = MeetingNotes {
            agenda: vec![
                item("a", "Budget 2027", ItemStatus::Resolved),
                item("b", "Office move", ItemStatus::Deferred),
                item("c", "Hiring plan", ItemStatus::Open),
            ],
            ..Default::default()
        };
        let prev_id = MeetingId(uuid::Uuid::from_u128(7));
        let from = Seed {
            previous: Some((prev_id, &prev)),
            open_action_items: vec![SeedTask {
                id: t(1),
                title: "Send the audit letter".into(),
                doer: p(2),
                due_label: "overdue since 2026-11-30".into(),
            }],
            tagged_tasks: vec![
                SeedTask {
                    id: t(2),
                    title: "Lease renewal options".into(),
                    doer: p(1),
                    due_label: String::new(),
                },
                // The same task tagged and an action item: one item.
                SeedTask {
                    id: t(1),
                    title: "Send the audit letter".into(),
                    doer: p(2),
                    due_label: String::new(),
                },
            ],
        };
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("n{n}")
        };
        let mut notes = MeetingNotes::default();
        let added = seed(&notes, &from, &mut next);
        let titles: Vec<_> = added.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Office move",
                "Hiring plan",
                "Follow up: Send the audit letter",
                "Lease renewal options"
            ]
        );
        assert_eq!(added[2].owner, Some(p(2)));
        assert_eq!(
            added[2].notes,
            "Open action item from an earlier meeting, overdue since 2026-11-30."
        );
        notes.agenda = added;
        assert!(
            seed(&notes, &from, &mut next).is_empty(),
            "seeding twice adds nothing"
        );
        assert!(notes.validate().is_ok());
        assert_eq!(notes.planned_minutes(), 20);
    }

    #[test]
    fn the_same_people_overlap_by_two_thirds() {
        let a: BTreeSet<_> = [p(1), p(2), p(3)].into();
        assert!(same_people(&a, &[p(1), p(2), p(3)].into()));
        assert!(same_people(&a, &[p(1), p(2), p(3), p(4)].into()), "3 of 4");
        assert!(!same_people(&a, &[p(1), p(4)].into()), "1 of 4");
        assert!(!same_people(&BTreeSet::new(), &BTreeSet::new()));
    }

    #[test]
    fn notes_name_every_bad_field() {
        let mut bad = item("a", "", ItemStatus::Open);
        bad.minutes = Some(0);
        let notes = MeetingNotes {
            agenda: vec![bad, item("a", "Dup", ItemStatus::Open)],
            minutes: String::new(),
            decisions: vec![Decision {
                id: "d".into(),
                text: " ".into(),
                item: Some("zzz".into()),
            }],
        };
        let fields: Vec<_> = notes
            .validate()
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "agenda[0].title",
                "agenda[0].minutes",
                "agenda[1].id",
                "decisions[0].text",
                "decisions[0].item"
            ]
        );
    }

    #[test]
    fn recap_lists_decisions_and_action_items() {
        let r = RecapInput {
            title: "Board meeting".into(),
            when: "Mon 7 Dec 2026, 14:00–15:30 (Europe/Amsterdam)".into(),
            attendees: vec!["Lars Jansen".into(), "Grace Chen".into()],
            agenda: vec![(
                item("a", "Budget | 2027", ItemStatus::Resolved),
                Some("Grace Chen".into()),
            )],
            decisions: vec!["Approve the 2027 budget".into()],
            actions: vec![RecapAction {
                title: "Send the | audit letter".into(),
                owner: "Grace Chen".into(),
                due: "2026-12-09".into(),
            }],
            minutes: "Quorum present.".into(),
        };
        let md = recap_markdown(&r);
        assert!(md.starts_with("# Recap: Board meeting\n\nMon 7 Dec 2026"), "{md}");
        assert!(md.contains("- Approve the 2027 budget\n"));
        assert!(
            md.contains("| Send the \\| audit letter | Grace Chen | 2026-12-09 |"),
            "{md}"
        );
        assert!(md.contains("1. Budget | 2027 (Grace Chen) — resolved"), "{md}");
        let text = recap_text(&r);
        assert!(
            text.contains("  * Send the | audit letter — Grace Chen, due 2026-12-09\n"),
            "{text}"
        );
        assert!(text.contains("NOTES\nQuorum present."));
    }

    #[test]
    fn materials_are_checked_by_content() {
        assert_eq!(
            check_material("pack.pdf", b"%PDF-1.7 ...").unwrap().content_type,
            "application/pdf"
        );
        assert_eq!(
            check_material("C:\\board\\notes.md", "# Notes".as_bytes())
                .unwrap()
                .filename,
            "notes.md"
        );
        assert!(
            check_material("virus.pdf", b"MZ\x90\x00").is_err(),
            "a program named .pdf"
        );
        assert!(check_material("empty.txt", b"").is_err());
        assert!(check_material("run.sh", b"#!/bin/sh").is_err());
        let big = vec![b'a'; MAX_MATERIAL_BYTES + 1];
        let e = check_material("big.txt", &big).unwrap_err();
        assert!(e.summary().contains("at most 10 MiB"), "{e}");
        assert!(check_material("deck.pptx", b"PK\x03\x04rest").is_ok());
        assert!(check_material("archive.zip", b"PK\x03\x04rest").is_err());
    }
}
