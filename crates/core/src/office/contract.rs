//! Contracts with vendors: a start, an initial term, renewal (automatic or
//! not), a notice period and a value per period — and the date that costs
//! offices most when missed, the last day to give notice.
//!
//! The rules, stated once:
//! - A term runs from its first day up to, not including, its *renewal date*:
//!   renewal `n` (0 = the end of the initial term) falls `term + n × renewal`
//!   months after the start, always counted from the start, so a contract
//!   begun on 31 January renews on the last day of shorter months and back on
//!   the 31st after, never drifting.
//! - The *last day to give notice* for a renewal is the term's last day (the
//!   day before the renewal date) minus the notice period; a month back from
//!   a day the earlier month lacks is that month's last day. So the notice
//!   period always fits whole between the notice and the renewal: the deadline
//!   is on or before the renewal date minus the notice period.
//! - Notice given on a day ends the contract at the end of the first term whose
//!   deadline is on or after that day; a contract that does not renew simply
//!   ends with its initial term.

use crate::error::{FieldError, ValidationError};
use crate::ids::{PersonId, VendorId};
use crate::macros::named_enum;
use crate::office::money::Money;
use jiff::civil::Date;
use jiff::{Span, ToSpan};
use serde::{Deserialize, Serialize};

/// The longest term or renewal we accept: ten years.
pub const MAX_TERM_MONTHS: u32 = 120;
/// The furthest ahead an alert may be raised.
pub const MAX_ALERT_DAYS: u32 = 365;

named_enum!(
    /// The period a contract's value is quoted per.
    Period, "value_period", {
        Month = "month",
        Quarter = "quarter",
        Year = "year",
    }
);

impl Period {
    pub fn months(&self) -> i64 {
        match self {
            Period::Month => 1,
            Period::Quarter => 3,
            Period::Year => 12,
        }
    }
}

named_enum!(
    /// The unit a notice period is counted in.
    NoticeUnit, "notice.unit", {
        Days = "days",
        Weeks = "weeks",
        Months = "months",
    }
);

/// A notice period: `3 months`, `30 days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub count: u32,
    pub unit: NoticeUnit,
}

impl Notice {
    pub fn months(count: u32) -> Self {
        Self {
            count,
            unit: NoticeUnit::Months,
        }
    }

    pub fn days(count: u32) -> Self {
        Self {
            count,
            unit: NoticeUnit::Days,
        }
    }

    fn span(&self) -> Span {
        let n = i64::from(self.count);
        match self.unit {
            NoticeUnit::Days => n.days(),
            NoticeUnit::Weeks => n.weeks(),
            NoticeUnit::Months => n.months(),
        }
    }

    /// `d` minus the period (a month back from the 31st lands on the last
    /// day of a shorter month).
    pub fn before(&self, d: Date) -> Option<Date> {
        d.checked_sub(self.span()).ok()
    }

    /// The largest count accepted for the unit: a year (365 days, 52 weeks, 24 months).
    fn max(&self) -> u32 {
        match self.unit {
            NoticeUnit::Days => 365,
            NoticeUnit::Weeks => 52,
            NoticeUnit::Months => 24,
        }
    }

    /// `3 months`, `1 week`, `no notice`.
    pub fn label(&self) -> String {
        let unit = self.unit.as_str();
        match self.count {
            0 => "no notice".into(),
            1 => format!("1 {}", &unit[..unit.len() - 1]),
            n => format!("{n} {unit}"),
        }
    }

    /// Parses `3 months`, `30 days`, `6 weeks`, `1 month`.
    pub fn parse(text: &str) -> Result<Notice, ValidationError> {
        let t = text.trim().to_lowercase();
        let bad = || {
            ValidationError::field(
                "notice",
                format!(
                    "`{}` is not a notice period like `3 months`, `30 days` or `6 weeks`",
                    text.trim()
                ),
            )
        };
        let (n, unit) = t.split_once(char::is_whitespace).ok_or_else(bad)?;
        let count: u32 = n.parse().map_err(|_| bad())?;
        let unit = match unit.trim() {
            "day" | "days" => NoticeUnit::Days,
            "week" | "weeks" => NoticeUnit::Weeks,
            "month" | "months" => NoticeUnit::Months,
            _ => return Err(bad()),
        };
        Ok(Notice { count, unit })
    }
}

/// The terms of a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractData {
    pub title: String,
    pub vendor: VendorId,
    /// The vendor's or our reference, e.g. `SC-2025-014`.
    #[serde(default)]
    pub reference: String,
    /// e.g. `cleaning`, `catering`, `it`, `facilities`.
    #[serde(default)]
    pub category: String,
    /// Who looks after it (and gets its alerts).
    #[serde(default)]
    pub owner: Option<PersonId>,
    pub start: Date,
    /// The initial term in months.
    pub term_months: u32,
    pub auto_renew: bool,
    /// Each renewal's length in months (the initial term's when not given).
    pub renewal_months: u32,
    pub notice: Notice,
    /// The price per `value_period`.
    pub value: Money,
    pub value_period: Period,
    /// How many days before the last day to give notice (or before the end) to raise the alert.
    pub alert_days: u32,
    #[serde(default)]
    pub notes: String,
}

/// One term of a contract: `[start, renewal)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Term {
    /// 0 for the initial term, then 1, 2, … for each renewal.
    pub index: u32,
    pub start: Date,
    /// Its last day.
    pub last_day: Date,
    /// The day the next term would begin.
    pub renewal: Date,
}

named_enum!(
    /// Where a contract stands on a given day.
    State, "state", {
        /// Its start is still ahead.
        NotStarted = "not_started",
        /// Running; the next notice deadline is further than the alert.
        Active = "active",
        /// The last day to give notice is within the alert.
        NoticeDue = "notice_due",
        /// Notice was given; it ends with the current term.
        Terminating = "terminating",
        /// It does not renew and ends within the alert.
        Ending = "ending",
        /// Its last day is past.
        Ended = "ended",
    }
);

/// A contract's standing on a given day, with the dates that matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub state: State,
    /// The term running on the day (or the first, before it starts).
    pub term: Option<Term>,
    /// The next renewal that will happen unless notice is given in time.
    pub renews_on: Option<Date>,
    /// The last day to give notice against `renews_on`.
    pub notice_deadline: Option<Date>,
    /// Days from the day to `notice_deadline`.
    pub days_to_deadline: Option<i64>,
    /// The deadline passed in the current term, so it renews regardless.
    pub missed_deadline: Option<Date>,
    /// Its last day, when it will end (no renewal, or notice given).
    pub ends_on: Option<Date>,
    /// One sentence for people.
    pub summary: String,
}

/// Something to act on before a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// `notice_deadline` or `ends`.
    pub kind: &'static str,
    pub date: Date,
    pub days_left: i64,
    pub text: String,
}

impl ContractData {
    /// Names every field at fault.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            })
        };
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            bad("title", "must be 1 to 200 characters".into());
        }
        if self.reference.chars().count() > 100 {
            bad("reference", "must be at most 100 characters".into());
        }
        if self.category.chars().count() > 50 {
            bad("category", "must be at most 50 characters".into());
        }
        if self.notes.chars().count() > 5_000 {
            bad("notes", "must be at most 5000 characters".into());
        }
        let term_ok = (1..=MAX_TERM_MONTHS).contains(&self.term_months);
        if !term_ok {
            bad(
                "term_months",
                format!("{} is not 1 to {MAX_TERM_MONTHS} months", self.term_months),
            );
        }
        // A contract that does not renew has no renewal term to check.
        let renewal_ok = !self.auto_renew || (1..=MAX_TERM_MONTHS).contains(&self.renewal_months);
        if !renewal_ok {
            bad(
                "renewal_months",
                format!("{} is not 1 to {MAX_TERM_MONTHS} months", self.renewal_months),
            );
        }
        if self.notice.count > self.notice.max() {
            bad(
                "notice",
                format!(
                    "{} is more than {} {}",
                    self.notice.label(),
                    self.notice.max(),
                    self.notice.unit
                ),
            );
        } else if term_ok && renewal_ok {
            // The notice must fit inside every term, else its deadline would fall before the term starts.
            let shortest = if self.auto_renew {
                self.term_months.min(self.renewal_months)
            } else {
                self.term_months
            };
            let fits = self
                .renewal_date(0)
                .zip(self.deadline_for(self.renewal_date(0)))
                .is_some_and(|(_, d)| d >= self.start)
                && (!self.auto_renew
                    || self
                        .renewal_date(0)
                        .zip(self.deadline_for(self.renewal_date(1)))
                        .is_some_and(|(r0, d)| d >= r0));
            if !fits {
                bad(
                    "notice",
                    format!(
                        "{} does not fit in a term of {shortest} months",
                        self.notice.label()
                    ),
                );
            }
        }
        if self.value.minor < 0 {
            bad("value", "must not be negative".into());
        } else if !self.value.in_range() {
            bad("value", "is more than one trillion".into());
        }
        if self.alert_days > MAX_ALERT_DAYS {
            bad(
                "alert_days",
                format!("{} is not 0 to {MAX_ALERT_DAYS} days", self.alert_days),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }

    /// Renewal date `n`: 0 ends the initial term, `n` ends the `n`th renewal.
    pub fn renewal_date(&self, n: u32) -> Option<Date> {
        // At least a month per renewal, so every walk over terms moves forward.
        let months = i64::from(self.term_months) + i64::from(n) * i64::from(self.renewal_months.max(1));
        self.start.checked_add(months.months()).ok()
    }

    fn deadline_for(&self, renewal: Option<Date>) -> Option<Date> {
        self.notice.before(renewal?.yesterday().ok()?)
    }

    /// The last day to give notice against a renewal on `renewal`: the day
    /// before it minus the notice period.
    pub fn notice_deadline(&self, renewal: Date) -> Option<Date> {
        self.deadline_for(Some(renewal))
    }

    /// Term `n` (0 = initial).
    pub fn term(&self, n: u32) -> Option<Term> {
        let start = if n == 0 {
            self.start
        } else {
            self.renewal_date(n - 1)?
        };
        let renewal = self.renewal_date(n)?;
        Some(Term {
            index: n,
            start,
            last_day: renewal.yesterday().ok()?,
            renewal,
        })
    }

    /// The index of the term running on `day` (the initial one before the
    /// start), ignoring whether the contract renews.
    fn term_index(&self, day: Date) -> u32 {
        let Some(first) = self.renewal_date(0) else {
            return 0;
        };
        if day < first {
            return 0;
        }
        // Estimate from whole months elapsed, then step to the exact term.
        let months = self
            .start
            .until((jiff::Unit::Month, day))
            .map(|s| s.get_months())
            .unwrap_or(0);
        let r = i64::from(self.renewal_months.max(1));
        let guess = ((i64::from(months) - i64::from(self.term_months)) / r).max(0) as u32;
        let mut n = guess.saturating_sub(1).max(1);
        // Term n (n ≥ 1) runs from renewal_date(n - 1) to renewal_date(n).
        while n > 1 && self.renewal_date(n - 1).is_some_and(|d| d > day) {
            n -= 1;
        }
        while self.renewal_date(n).is_some_and(|d| d <= day) {
            n += 1;
        }
        n
    }

    /// The last day of a contract that received notice on `given`: the end of
    /// the first term whose deadline is on or after `given` (or of the initial
    /// term when it does not renew).
    pub fn ends_after_notice(&self, given: Date) -> Option<Date> {
        if !self.auto_renew {
            return self.renewal_date(0)?.yesterday().ok();
        }
        let mut n = self.term_index(given);
        loop {
            let renewal = self.renewal_date(n)?;
            if self.notice_deadline(renewal)? >= given {
                return renewal.yesterday().ok();
            }
            n += 1;
        }
    }

    /// Where the contract stands on `today`, given the day notice was given if it was.
    pub fn standing(&self, today: Date, notice_given: Option<Date>) -> Standing {
        let days = |d: Date| {
            today
                .until((jiff::Unit::Day, d))
                .map(|s| i64::from(s.get_days()))
                .unwrap_or(0)
        };
        let mut s = Standing {
            state: State::Active,
            term: None,
            renews_on: None,
            notice_deadline: None,
            days_to_deadline: None,
            missed_deadline: None,
            ends_on: None,
            summary: String::new(),
        };
        let initial_end = self.renewal_date(0).and_then(|r| r.yesterday().ok());
        let ends_on = match notice_given {
            Some(g) => self.ends_after_notice(g),
            None if !self.auto_renew => initial_end,
            None => None,
        };
        let n = self.term_index(today);
        s.term = self.term(n);
        s.ends_on = ends_on;
        if let Some(end) = ends_on {
            let left = days(end);
            s.state = if end < today {
                State::Ended
            } else if today < self.start {
                State::NotStarted
            } else if notice_given.is_some() {
                State::Terminating
            } else if left <= i64::from(self.alert_days) {
                State::Ending
            } else {
                State::Active
            };
            s.summary = match s.state {
                State::Ended => format!("ended on {}", fmt_date(end)),
                State::Terminating => format!("notice given; ends on {} ({})", fmt_date(end), in_days(left)),
                _ => format!("does not renew; ends on {} ({})", fmt_date(end), in_days(left)),
            };
            if today < self.start {
                s.state = State::NotStarted;
                s.summary = format!("starts on {}; {}", fmt_date(self.start), s.summary);
            }
            return s;
        }
        // It renews: find the first renewal whose deadline is today or later.
        let mut k = n;
        let mut missed = None;
        let (renewal, deadline) = loop {
            let (Some(r), Some(d)) = (
                self.renewal_date(k),
                self.renewal_date(k).and_then(|r| self.notice_deadline(r)),
            ) else {
                return s;
            };
            if d >= today {
                break (r, d);
            }
            if k == n {
                missed = Some((r, d));
            }
            k += 1;
        };
        let left = days(deadline);
        s.renews_on = Some(missed.map_or(renewal, |(r, _)| r));
        s.notice_deadline = Some(deadline);
        s.days_to_deadline = Some(left);
        s.missed_deadline = missed.map(|(_, d)| d);
        s.state = if today < self.start {
            State::NotStarted
        } else if left <= i64::from(self.alert_days) {
            State::NoticeDue
        } else {
            State::Active
        };
        let give = format!(
            "give notice by {} ({}) or it renews on {}",
            fmt_date(deadline),
            in_days(left),
            fmt_date(renewal)
        );
        s.summary = match missed {
            Some((r, d)) => format!(
                "renews on {} (notice was due by {}); next: {give}",
                fmt_date(r),
                fmt_date(d)
            ),
            None if today < self.start => format!("starts on {}; {give}", fmt_date(self.start)),
            None => give,
        };
        s
    }

    /// What needs acting on within `within_days` of `today`: the last day to
    /// give notice, or the end of a contract that will not renew.
    pub fn alerts(&self, today: Date, within_days: i64, notice_given: Option<Date>) -> Vec<Alert> {
        let s = self.standing(today, notice_given);
        let mut out = Vec::new();
        if let (Some(d), Some(left), Some(r)) = (s.notice_deadline, s.days_to_deadline, s.renews_on)
            && left <= within_days
        {
            let renews = if s.missed_deadline.is_some() {
                self.renewal_after(r).unwrap_or(r)
            } else {
                r
            };
            out.push(Alert {
                kind: "notice_deadline",
                date: d,
                days_left: left,
                text: format!(
                    "Last day to give notice ({}); otherwise it renews on {}",
                    self.notice.label(),
                    fmt_date(renews)
                ),
            });
        }
        if let Some(end) = s.ends_on
            && end >= today
        {
            let left = today
                .until((jiff::Unit::Day, end))
                .map(|x| i64::from(x.get_days()))
                .unwrap_or(0);
            if left <= within_days {
                out.push(Alert {
                    kind: "ends",
                    date: end,
                    days_left: left,
                    text: if notice_given.is_some() {
                        format!("Ends: notice was given ({})", in_days(left))
                    } else {
                        format!("Ends; it does not renew ({})", in_days(left))
                    },
                });
            }
        }
        out
    }

    /// The renewal after the one on `r`.
    fn renewal_after(&self, r: Date) -> Option<Date> {
        let n = self.term_index(r);
        self.renewal_date(n)
    }

    /// The value of one whole term of `months` months.
    pub fn value_for_months(&self, months: u32) -> Option<Money> {
        self.value
            .ratio(i64::from(months), self.value_period.months())
            .ok()
    }

    /// The value of the initial term.
    pub fn term_value(&self) -> Option<Money> {
        self.value_for_months(self.term_months)
    }

    /// The value per year.
    pub fn annual_value(&self) -> Option<Money> {
        self.value_for_months(12)
    }
}

/// `Fri 11 Dec 2026`.
pub fn fmt_date(d: Date) -> String {
    d.strftime("%a %-d %b %Y").to_string()
}

/// `today`, `tomorrow`, `in 12 days`, `3 days ago`.
pub fn in_days(n: i64) -> String {
    match n {
        0 => "today".into(),
        1 => "tomorrow".into(),
        -1 => "yesterday".into(),
        n if n < 0 => format!("{} days ago", -n),
        n => format!("in {n} days"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::office::money::Currency;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn contract(start: Date, term: u32, renewal: u32, notice: Notice, auto: bool) -> ContractData {
        ContractData {
            title: "Office cleaning".into(),
            vendor: VendorId(uuid::Uuid::nil()),
            reference: String::new(),
            category: "cleaning".into(),
            owner: None,
            start,
            term_months: term,
            auto_renew: auto,
            renewal_months: renewal,
            notice,
            value: Money::new(250_000, Currency::eur()),
            value_period: Period::Month,
            alert_days: 30,
            notes: String::new(),
        }
    }

    #[test]
    fn a_yearly_contract_with_three_months_notice() {
        let c = contract(date(2026, 1, 1), 12, 12, Notice::months(3), true);
        assert_eq!(c.renewal_date(0), Some(date(2027, 1, 1)));
        assert_eq!(c.notice_deadline(date(2027, 1, 1)), Some(date(2026, 9, 30)));
        let s = c.standing(date(2026, 9, 18), None);
        assert_eq!(s.state, State::NoticeDue);
        assert_eq!(s.notice_deadline, Some(date(2026, 9, 30)));
        assert_eq!(s.days_to_deadline, Some(12));
        assert_eq!(s.renews_on, Some(date(2027, 1, 1)));
        assert_eq!(
            s.summary,
            "give notice by Wed 30 Sep 2026 (in 12 days) or it renews on Fri 1 Jan 2027"
        );
        // A day late: it renews, and the next chance is a year on.
        let late = c.standing(date(2026, 10, 1), None);
        assert_eq!(late.state, State::Active);
        assert_eq!(late.missed_deadline, Some(date(2026, 9, 30)));
        assert_eq!(late.renews_on, Some(date(2027, 1, 1)));
        assert_eq!(late.notice_deadline, Some(date(2027, 9, 30)));
        // Notice given on the last day ends it with the term.
        assert_eq!(c.ends_after_notice(date(2026, 9, 30)), Some(date(2026, 12, 31)));
        assert_eq!(c.ends_after_notice(date(2026, 10, 1)), Some(date(2027, 12, 31)));
        let t = c.standing(date(2026, 11, 2), Some(date(2026, 9, 29)));
        assert_eq!(t.state, State::Terminating);
        assert_eq!(t.ends_on, Some(date(2026, 12, 31)));
        assert_eq!(
            c.standing(date(2027, 1, 1), Some(date(2026, 9, 29))).state,
            State::Ended
        );
    }

    #[test]
    fn month_ends_and_leap_years_clamp_without_drift() {
        let c = contract(date(2024, 1, 31), 1, 1, Notice::days(7), true);
        assert_eq!(c.renewal_date(0), Some(date(2024, 2, 29)));
        assert_eq!(c.renewal_date(1), Some(date(2024, 3, 31)));
        assert_eq!(c.renewal_date(11), Some(date(2025, 1, 31)));
        assert!(c.validate().is_ok());
        let c = contract(date(2024, 1, 31), 12, 1, Notice::months(1), true);
        // Renewal 31 March 2024: last day 30 March, a month back is 29 February.
        assert_eq!(c.notice_deadline(date(2024, 3, 31)), Some(date(2024, 2, 29)));
        // Renewal 1 March 2025: last day 28 February, a month back is 28 January.
        let d = contract(date(2024, 3, 1), 12, 12, Notice::months(1), true);
        assert_eq!(d.notice_deadline(date(2025, 3, 1)), Some(date(2025, 1, 28)));
    }

    #[test]
    fn a_contract_that_does_not_renew_just_ends() {
        let c = contract(date(2025, 7, 1), 18, 12, Notice::days(30), false);
        let s = c.standing(date(2026, 12, 10), None);
        assert_eq!(s.ends_on, Some(date(2026, 12, 31)));
        assert_eq!(s.state, State::Ending);
        assert_eq!(s.notice_deadline, None);
        let a = c.alerts(date(2026, 12, 10), 30, None);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].kind, "ends");
        assert_eq!(a[0].days_left, 21);
        assert_eq!(c.standing(date(2027, 1, 1), None).state, State::Ended);
    }

    #[test]
    fn alerts_come_within_the_window_only() {
        let c = contract(date(2025, 1, 1), 24, 12, Notice::months(3), true);
        assert!(c.alerts(date(2026, 8, 1), 30, None).is_empty());
        let a = c.alerts(date(2026, 9, 10), 30, None);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].date, date(2026, 9, 30));
        assert_eq!(a[0].days_left, 20);
        assert!(
            a[0].text.contains("otherwise it renews on Fri 1 Jan 2027"),
            "{}",
            a[0].text
        );
    }

    #[test]
    fn validation_names_what_is_wrong() {
        let mut c = contract(date(2026, 1, 1), 0, 200, Notice::months(30), true);
        c.value = Money::new(-1, Currency::eur());
        c.alert_days = 400;
        c.title = String::new();
        let fields: Vec<String> = c
            .validate()
            .err()
            .map(|e| e.errors.into_iter().map(|f| f.field).collect())
            .unwrap_or_default();
        assert_eq!(
            fields,
            [
                "title",
                "term_months",
                "renewal_months",
                "notice",
                "value",
                "alert_days"
            ]
        );
        let tight = contract(date(2026, 1, 1), 12, 3, Notice::months(3), true);
        let e = tight.validate().err().map(|e| e.summary()).unwrap_or_default();
        assert_eq!(e, "notice: 3 months does not fit in a term of 3 months");
        assert!(
            contract(date(2026, 1, 1), 12, 3, Notice::months(2), true)
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn values_per_term_and_year() {
        let mut c = contract(date(2026, 1, 1), 10, 12, Notice::months(1), true);
        c.value = Money::new(100_000, Currency::eur());
        c.value_period = Period::Quarter;
        assert_eq!(c.term_value().map(|m| m.minor), Some(333_333));
        assert_eq!(c.annual_value().map(|m| m.minor), Some(400_000));
    }

    #[test]
    fn notice_periods_parse_and_read_back() {
        for (t, label) in [
            ("3 months", "3 months"),
            ("1 Month", "1 month"),
            ("30 days", "30 days"),
            ("6 weeks", "6 weeks"),
        ] {
            assert_eq!(Notice::parse(t).map(|n| n.label()), Ok(label.to_string()));
        }
        assert!(Notice::parse("three months").is_err());
        assert!(Notice::parse("3 fortnights").is_err());
    }

    fn any_notice() -> impl Strategy<Value = Notice> {
        prop_oneof![
            (0u32..=24).prop_map(Notice::months),
            (0u32..=365).prop_map(Notice::days),
            (0u32..=52).prop_map(|w| Notice {
                count: w,
                unit: NoticeUnit::Weeks
            }),
        ]
    }

    proptest! {
        /// The deadline is on or before the renewal date minus the notice
        /// period, for every start day (month ends, 29 February included).
        #[test]
        fn the_deadline_leaves_the_whole_notice_period(
            y in 2020i16..2040, m in 1i8..=12, d in 1i8..=31,
            term in 1u32..=60, renewal in 1u32..=60, notice in any_notice(), n in 0u32..12,
        ) {
            let Ok(start) = Date::new(y, m, d.min(jiff::civil::date(y, m, 1).days_in_month())) else {
                return Ok(());
            };
            let c = contract(start, term, renewal, notice, true);
            let Some(r) = c.renewal_date(n) else { return Ok(()) };
            let Some(deadline) = c.notice_deadline(r) else { return Ok(()) };
            let Some(latest) = notice.before(r) else { return Ok(()) };
            prop_assert!(deadline <= latest, "{deadline} > {latest} ({r}, {})", notice.label());
            prop_assert!(deadline < r);
            // And not needlessly early: at most a day, plus the clamping of a month end, before.
            let slack = deadline.until((jiff::Unit::Day, latest)).map(|s| s.get_days()).unwrap_or(99);
            prop_assert!(slack <= 4, "{slack} days early");
        }

        /// Notice given on or before a deadline ends the contract the day before that renewal.
        #[test]
        fn notice_in_time_ends_the_term(
            y in 2020i16..2030, m in 1i8..=12, d in 1i8..=28,
            term in 6u32..=36, renewal in 6u32..=24, months in 0u32..=3, n in 0u32..6, early in 0i64..40,
        ) {
            let start = jiff::civil::date(y, m, d);
            let c = contract(start, term, renewal, Notice::months(months), true);
            prop_assume!(c.validate().is_ok());
            let Some(r) = c.renewal_date(n) else { return Ok(()) };
            let Some(deadline) = c.notice_deadline(r) else { return Ok(()) };
            let given = deadline.checked_sub(early.days()).unwrap_or(deadline);
            prop_assume!(given >= c.term(n).map_or(start, |t| t.start));
            prop_assert_eq!(c.ends_after_notice(given), r.yesterday().ok());
            let s = c.standing(given, None);
            prop_assert_eq!(s.notice_deadline, Some(deadline));
            prop_assert_eq!(s.renews_on, Some(r));
        }

        /// The term found for any day contains it.
        #[test]
        fn every_day_falls_in_its_term(
            y in 2020i16..2030, m in 1i8..=12, d in 1i8..=31, term in 1u32..=36, renewal in 1u32..=36, offset in 0i64..4000,
        ) {
            let Ok(start) = Date::new(y, m, d.min(jiff::civil::date(y, m, 1).days_in_month())) else {
                return Ok(());
            };
            let c = contract(start, term, renewal, Notice::days(0), true);
            let day = start.checked_add(offset.days()).unwrap_or(start);
            let t = c.term(c.term_index(day));
            prop_assert!(t.is_some_and(|t| t.start <= day && day <= t.last_day), "{day} not in {t:?}");
        }
    }
}
