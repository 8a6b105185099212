//! Delegation: a principal lets an assistant act for them in some areas
//! (scopes), either only looking (`read`) or also acting (`act`).

use crate::error::ValidationError;
use crate::ids::{DelegationId, OrgId, PersonId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An area of a principal's work that can be delegated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Calendar,
    Mail,
    Tasks,
    Travel,
    Expenses,
}

impl Scope {
    pub const ALL: [Scope; 5] = [
        Scope::Calendar,
        Scope::Mail,
        Scope::Tasks,
        Scope::Travel,
        Scope::Expenses,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Scope::Calendar => "calendar",
            Scope::Mail => "mail",
            Scope::Tasks => "tasks",
            Scope::Travel => "travel",
            Scope::Expenses => "expenses",
        }
    }

    /// Parses a comma-separated list such as `calendar,mail`; `all` means every scope.
    pub fn parse_list(s: &str) -> Result<Vec<Scope>, ValidationError> {
        if s.trim() == "all" {
            return Ok(Scope::ALL.to_vec());
        }
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let sc: Scope = part.parse()?;
            if !out.contains(&sc) {
                out.push(sc);
            }
        }
        if out.is_empty() {
            return Err(ValidationError::field("scopes", "name at least one scope"));
        }
        out.sort();
        Ok(out)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
            .ok_or_else(|| {
                ValidationError::field(
                    "scopes",
                    format!("unknown scope `{s}`; expected calendar, mail, tasks, travel or expenses"),
                )
            })
    }
}

/// How far a delegate may go: look only, or act on the principal's behalf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Read,
    Act,
}

impl Level {
    pub fn as_str(&self) -> &'static str {
        match self {
            Level::Read => "read",
            Level::Act => "act",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "read" => Ok(Level::Read),
            "act" => Ok(Level::Act),
            other => Err(ValidationError::field(
                "level",
                format!("unknown level `{other}`; expected read or act"),
            )),
        }
    }
}

/// A standing permission for `delegate` to work for `principal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    pub id: DelegationId,
    pub org: OrgId,
    pub principal: PersonId,
    pub delegate: PersonId,
    pub scopes: Vec<Scope>,
    pub level: Level,
}

impl Delegation {
    /// Whether this delegation lets its delegate do `need` in `scope`.
    pub fn allows(&self, scope: Scope, need: Level) -> bool {
        self.scopes.contains(&scope) && self.level >= need
    }
}
