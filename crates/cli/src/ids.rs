//! Ids as the commands show and take them.
//!
//! Ids are UUIDv7: their first characters are a timestamp, alike for
//! everything made around the same time, while the last ones are random.
//! Lists therefore show the last eight characters, and commands accept the end
//! of an id when it names exactly one thing of its kind.

use anyhow::bail;

/// How many characters of an id lists show.
const SHORT: usize = 8;
/// The fewest characters of an id a command accepts.
const SHORTEST: usize = 6;

/// The end of an id, as lists show it.
pub(crate) fn short(id: &str) -> &str {
    id.get(id.len().saturating_sub(SHORT)..).unwrap_or(id)
}

/// Whether `s` could be the end of an id.
pub(crate) fn id_like(s: &str) -> bool {
    let s = s.trim();
    s.chars().count() >= SHORTEST && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// The one id among `ids` that ends with `given` (`what` and `whats` name the kind).
pub(crate) fn pick<I: ToString + Copy>(
    (what, whats): (&str, &str),
    given: &str,
    ids: impl Iterator<Item = I>,
) -> anyhow::Result<I> {
    let s = given.trim().to_ascii_lowercase();
    if !id_like(&s) {
        bail!("`{given}` is not a {what} id (give the id, or at least its last {SHORTEST} characters)");
    }
    let found: Vec<I> = ids.filter(|id| id.to_string().ends_with(&s)).collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => bail!("no {what} has an id ending in `{given}`"),
        many => bail!(
            "`{given}` ends the ids of {} {whats}; give more of the id",
            many.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_show_the_last_eight_characters() {
        assert_eq!(short("0190f3a2-7c1e-7b44-9d2a-5e6f7a8b9c0d"), "7a8b9c0d");
        assert_eq!(short("abc"), "abc");
    }

    #[test]
    fn the_end_of_an_id_names_one() {
        let ids = [
            "0190f3a2-aaaa-7b44-9d2a-5e6f7a8b9c0d",
            "0190f3a2-bbbb-7b44-9d2a-5e6f7a8b1111",
        ];
        assert_eq!(
            pick(("task", "tasks"), "8B9C0D", ids.iter().copied()).ok(),
            Some(ids[0])
        );
        let err = |given: &str| {
            pick(("task", "tasks"), given, ids.iter().copied())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(err("9c0d").contains("is not a task id"), "{}", err("9c0d"));
        assert!(err("lunch!").contains("is not a task id"));
        assert!(err("ffffff").contains("no task has an id ending in `ffffff`"));
        assert!(err("5e6f7a8b").contains("no task has an id ending in"));
        let same = [
            "0190f3a2-aaaa-7b44-9d2a-000000111111",
            "0190f3a2-bbbb-7b44-9d2a-000000111111",
        ];
        let twice = pick(("duty", "duties"), "111111", same.iter().copied())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(twice.contains("ends the ids of 2 duties"), "{twice}");
    }
}
