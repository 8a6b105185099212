//! Group polls: participants answer yes / if need be / no to each proposed
//! time, and the tally ranks the options.
//!
//! Ranking: an option anybody required cannot make ranks below every option
//! all of them can; then most "yes", then most "if need be", then the earlier
//! time. Unanswered counts as unknown, neither for nor against.

use crate::calendar::time::TimeRange;
use crate::error::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One participant's answer to one option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Yes,
    IfNeedBe,
    No,
}

impl Answer {
    pub const ALL: [Answer; 3] = [Answer::Yes, Answer::IfNeedBe, Answer::No];
    pub fn as_str(&self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::IfNeedBe => "if_need_be",
            Answer::No => "no",
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            Answer::Yes => "Yes",
            Answer::IfNeedBe => "If need be",
            Answer::No => "No",
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Answer {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "yes" => Ok(Answer::Yes),
            "if_need_be" | "if-need-be" | "maybe" => Ok(Answer::IfNeedBe),
            "no" => Ok(Answer::No),
            other => Err(ValidationError::field(
                "answer",
                format!("unknown answer `{other}`; expected yes, if_need_be or no"),
            )),
        }
    }
}

/// The count of answers for one option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionTally {
    /// Index of the option as given.
    pub option: usize,
    pub range: TimeRange,
    pub yes: usize,
    pub if_need_be: usize,
    pub no: usize,
    pub unanswered: usize,
    /// 1 for the best option; options that tie share a rank.
    pub rank: usize,
}

/// Tallies `answers` — `(participant index, option index, answer)` — for
/// `options` among `participants` people, best first.
pub fn tally(
    options: &[TimeRange],
    participants: usize,
    answers: &[(usize, usize, Answer)],
) -> Vec<OptionTally> {
    let mut rows: Vec<OptionTally> = options
        .iter()
        .enumerate()
        .map(|(i, r)| OptionTally {
            option: i,
            range: *r,
            yes: 0,
            if_need_be: 0,
            no: 0,
            unanswered: participants,
            rank: 0,
        })
        .collect();
    // The last answer of a participant for an option counts.
    let mut seen = std::collections::BTreeMap::new();
    for (p, o, a) in answers {
        if *p < participants && *o < options.len() {
            seen.insert((*p, *o), *a);
        }
    }
    for ((_, o), a) in seen {
        if let Some(row) = rows.get_mut(o) {
            row.unanswered = row.unanswered.saturating_sub(1);
            match a {
                Answer::Yes => row.yes += 1,
                Answer::IfNeedBe => row.if_need_be += 1,
                Answer::No => row.no += 1,
            }
        }
    }
    let key = |r: &OptionTally| (r.no, std::cmp::Reverse(r.yes), std::cmp::Reverse(r.if_need_be));
    rows.sort_by(|a, b| {
        key(a)
            .cmp(&key(b))
            .then(a.range.start.cmp(&b.range.start))
            .then(a.option.cmp(&b.option))
    });
    let mut rank = 0;
    let mut last = None;
    for (i, r) in rows.iter_mut().enumerate() {
        let k = key(r);
        if last != Some(k) {
            rank = i + 1;
            last = Some(k);
        }
        r.rank = rank;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    fn slot(h: i64) -> TimeRange {
        let t = |s: i64| Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH);
        TimeRange {
            start: t(h * 3600),
            end: t(h * 3600 + 3600),
        }
    }

    #[test]
    fn answers_parse() {
        for a in Answer::ALL {
            assert_eq!(a.as_str().parse::<Answer>().ok(), Some(a));
        }
        assert!("perhaps".parse::<Answer>().is_err());
    }

    #[test]
    fn nobody_against_beats_more_yes() {
        let options = [slot(10), slot(11), slot(12)];
        // Option 0: 2 yes, 1 no. Option 1: 1 yes, 2 if need be. Option 2: 1 yes, 2 unanswered.
        let answers = [
            (0, 0, Answer::Yes),
            (1, 0, Answer::Yes),
            (2, 0, Answer::No),
            (0, 1, Answer::Yes),
            (1, 1, Answer::IfNeedBe),
            (2, 1, Answer::IfNeedBe),
            (0, 2, Answer::Yes),
        ];
        let t = tally(&options, 3, &answers);
        assert_eq!(t.iter().map(|r| r.option).collect::<Vec<_>>(), [1, 2, 0]);
        assert_eq!(
            (t[0].yes, t[0].if_need_be, t[0].no, t[0].unanswered),
            (1, 2, 0, 0)
        );
        assert_eq!(t[1].unanswered, 2);
        assert_eq!(t.iter().map(|r| r.rank).collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn ties_share_a_rank_and_earlier_comes_first() {
        let options = [slot(12), slot(10)];
        let answers = [(0, 0, Answer::Yes), (0, 1, Answer::Yes), (0, 1, Answer::Yes)];
        let t = tally(&options, 1, &answers);
        assert_eq!(
            t.iter().map(|r| (r.option, r.rank)).collect::<Vec<_>>(),
            [(1, 1), (0, 1)]
        );
        assert_eq!(t[0].yes, 1, "a repeated answer counts once");
    }

    #[test]
    fn answers_out_of_range_are_ignored() {
        let t = tally(&[slot(9)], 1, &[(5, 0, Answer::No), (0, 7, Answer::No)]);
        assert_eq!((t[0].no, t[0].unanswered), (0, 1));
    }
}
