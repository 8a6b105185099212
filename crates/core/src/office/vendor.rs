//! Vendors: the suppliers the office buys from, with their contacts and the
//! categories of what they supply (cleaning, catering, IT, …).

use crate::error::{FieldError, ValidationError};
use serde::{Deserialize, Serialize};

/// A person to reach at a vendor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorContact {
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

/// A vendor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorData {
    pub name: String,
    /// What they supply, lower case: `cleaning`, `catering`, `it`.
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub contacts: Vec<VendorContact>,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub notes: String,
}

/// Trims, lower-cases and de-duplicates categories, keeping their order.
pub fn normalise_categories<S: AsRef<str>>(raw: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in raw {
        let c = c.as_ref().trim().to_lowercase();
        if !c.is_empty() && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

impl VendorData {
    /// The key two vendors of one organisation may not share: the name,
    /// trimmed and case-folded, with inner spaces collapsed.
    pub fn name_key(&self) -> String {
        self.name
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }

    /// Names every field at fault.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        let mut bad = |field: String, message: String| errors.push(FieldError { field, message });
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            bad("name".into(), "must be 1 to 200 characters".into());
        }
        if self.categories.len() > 10 {
            bad(
                "categories".into(),
                format!("{} is more than 10", self.categories.len()),
            );
        }
        for (i, c) in self.categories.iter().enumerate() {
            if c.trim().is_empty() || c.chars().count() > 50 {
                bad(format!("categories[{i}]"), "must be 1 to 50 characters".into());
            }
        }
        if self.contacts.len() > 20 {
            bad(
                "contacts".into(),
                format!("{} is more than 20", self.contacts.len()),
            );
        }
        for (i, c) in self.contacts.iter().enumerate() {
            if c.name.trim().is_empty() || c.name.chars().count() > 200 {
                bad(
                    format!("contacts[{i}].name"),
                    "must be 1 to 200 characters".into(),
                );
            }
            let email = c.email.trim();
            if !email.is_empty() && !plausible_email(email) {
                bad(
                    format!("contacts[{i}].email"),
                    format!("`{email}` is not an e-mail address"),
                );
            }
            if c.phone.chars().count() > 50 || c.role.chars().count() > 100 {
                bad(format!("contacts[{i}]"), "phone or role is too long".into());
            }
        }
        let site = self.website.trim();
        if site.chars().count() > 300 || !site.is_empty() && site.contains(char::is_whitespace) {
            bad("website".into(), format!("`{site}` is not a web address"));
        }
        if self.notes.chars().count() > 5_000 {
            bad("notes".into(), "must be at most 5000 characters".into());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }
}

fn plausible_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && s.len() <= 254
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vendor_names_every_field_at_fault() {
        let v = VendorData {
            name: "  ".into(),
            categories: vec!["".into()],
            contacts: vec![VendorContact {
                name: "Ann".into(),
                email: "ann at clean.nl".into(),
                ..VendorContact::default()
            }],
            website: "not a site".into(),
            notes: String::new(),
        };
        let fields: Vec<String> = v
            .validate()
            .err()
            .map(|e| e.errors.into_iter().map(|f| f.field).collect())
            .unwrap_or_default();
        assert_eq!(fields, ["name", "categories[0]", "contacts[0].email", "website"]);
    }

    #[test]
    fn names_compare_without_case_or_extra_spaces() {
        let v = VendorData {
            name: "  Sparkle   Cleaning BV ".into(),
            ..VendorData::default()
        };
        assert_eq!(v.name_key(), "sparkle cleaning bv");
        assert_eq!(
            normalise_categories(&[" IT", "it", "Catering", ""]),
            ["it", "catering"]
        );
    }
}
