//! People, their roles and the validated values that describe them.

use crate::error::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a person does in the organisation; decides what they may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Principal,
    Assistant,
    OfficeManager,
    Staff,
    Contractor,
}

impl Role {
    /// Every role, in the order the UI lists them.
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Principal,
        Role::Assistant,
        Role::OfficeManager,
        Role::Staff,
        Role::Contractor,
    ];

    /// The stable name used in the API, the CLI and the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Principal => "principal",
            Role::Assistant => "assistant",
            Role::OfficeManager => "office_manager",
            Role::Staff => "staff",
            Role::Contractor => "contractor",
        }
    }

    /// A label for people.
    pub fn label(&self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Principal => "Principal",
            Role::Assistant => "Assistant",
            Role::OfficeManager => "Office manager",
            Role::Staff => "Staff",
            Role::Contractor => "Contractor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                ValidationError::field(
                    "role",
                    format!(
                        "unknown role `{s}`; expected one of admin, principal, assistant, office_manager, staff, contractor"
                    ),
                )
            })
    }
}

/// A person's display name: trimmed, 1 to 200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(ValidationError::field(field, "must not be empty"));
        }
        if t.chars().count() > 200 {
            return Err(ValidationError::field(field, "must be at most 200 characters"));
        }
        if t.chars().any(char::is_control) {
            return Err(ValidationError::field(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Self(t.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, lower-cased: one `@`, a non-empty local part, a dotted domain.
///
/// Deliberately simple: it catches typos at the edge; deliverability is
/// proven by mail, not by a regular expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let t = s.trim().to_lowercase();
        let bad = |m: &str| ValidationError::field("email", format!("`{}` {m}", s.trim()));
        if t.len() > 254 {
            return Err(bad("is longer than 254 characters"));
        }
        let Some((local, domain)) = t.split_once('@') else {
            return Err(bad("is not an e-mail address (no @)"));
        };
        if local.is_empty() || domain.contains('@') {
            return Err(bad("is not an e-mail address"));
        }
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') || domain.contains("..")
        {
            return Err(bad("has no valid domain"));
        }
        if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("must not contain spaces"));
        }
        Ok(Self(t))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An organisation's short name used in URLs and on the command line:
/// 2 to 40 characters of `a-z`, `0-9` and `-`, not starting or ending with `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct OrgSlug(String);

impl OrgSlug {
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let t = s.trim();
        let ok_chars = t
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !(2..=40).contains(&t.len()) || !ok_chars || t.starts_with('-') || t.ends_with('-') {
            return Err(ValidationError::field(
                "slug",
                format!(
                    "`{t}` must be 2 to 40 characters of a-z, 0-9 and '-', not starting or ending with '-'"
                ),
            ));
        }
        Ok(Self(t.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password chosen by a person: 10 to 1024 characters.
///
/// Length is the rule that matters (NIST SP 800-63B); composition rules are not imposed.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let n = s.chars().count();
        if n < 10 {
            return Err(ValidationError::field(
                "password",
                "must be at least 10 characters",
            ));
        }
        if n > 1024 {
            return Err(ValidationError::field(
                "password",
                "must be at most 1024 characters",
            ));
        }
        Ok(Self(s.to_string()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

/// An IANA time-zone name, checked against the zone database the caller provides.
///
/// The core does not load zone data itself (that is I/O); the edge resolves the
/// name with jiff and only then builds this value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ZoneName(String);

impl ZoneName {
    /// Accepts `name` if jiff's bundled/system database knows it.
    pub fn parse(name: &str) -> Result<Self, ValidationError> {
        let t = name.trim();
        match jiff::tz::TimeZone::get(t) {
            Ok(_) => Ok(Self(t.to_string())),
            Err(_) => Err(ValidationError::field(
                "time_zone",
                format!("`{t}` is not a known IANA time zone (e.g. Europe/Amsterdam)"),
            )),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().ok(), Some(r));
        }
        assert!("boss".parse::<Role>().is_err());
    }

    #[test]
    fn emails() {
        let ok = ["a@b.co", " Maya@Northwind.Example ", "x.y+z@sub.example.org"];
        for e in ok {
            assert!(Email::parse(e).is_ok(), "{e}");
        }
        assert_eq!(
            Email::parse("Maya@Northwind.Example").map(|e| e.to_string()).ok(),
            Some("maya@northwind.example".into())
        );
        let bad = [
            "", "a", "a@b", "@b.co", "a@b..co", "a b@c.de", "a@@b.co", "a@.b.co",
        ];
        for e in bad {
            let err = Email::parse(e).err();
            assert_eq!(
                err.map(|e| e.errors[0].field.clone()),
                Some("email".into()),
                "{e}"
            );
        }
    }

    #[test]
    fn names_and_slugs() {
        assert!(PersonName::parse("name", "  ").is_err());
        assert_eq!(
            PersonName::parse("name", " Lars ")
                .map(|n| n.as_str().to_string())
                .ok(),
            Some("Lars".into())
        );
        assert!(PersonName::parse("name", "a\u{7}b").is_err());
        assert!(OrgSlug::parse("northwind").is_ok());
        for s in ["N", "-a", "a-", "Northwind", "north wind", "x"] {
            assert!(OrgSlug::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn passwords_and_zones() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("long enough pass").is_ok());
        assert_eq!(
            format!("{:?}", NewPassword::parse("long enough pass").ok()),
            "Some(NewPassword(<redacted>))"
        );
        assert!(ZoneName::parse("Europe/Amsterdam").is_ok());
        assert!(ZoneName::parse("Mars/Olympus").is_err());
    }
}
