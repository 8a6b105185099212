//! The demo organisation, Northwind (offices in Amsterdam and New York), seeded
//! by `serve --demo` into an empty database so a newcomer sees a living system.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::ops::{self, DelegationInput, PersonInput};
use adjutant_core::people::OrgSlug;
use jiff::Timestamp;

/// The password of every demo login.
pub const DEMO_PASSWORD: &str = "northwind-demo";

/// (name, e-mail, role, zone, what they do)
pub const DEMO_PEOPLE: &[(&str, &str, &str, &str, &str)] = &[
    (
        "Iris Visser",
        "iris@northwind.example",
        "admin",
        "Europe/Amsterdam",
        "IT administrator",
    ),
    (
        "Lars Jansen",
        "lars@northwind.example",
        "principal",
        "Europe/Amsterdam",
        "CEO",
    ),
    (
        "Grace Chen",
        "grace@northwind.example",
        "principal",
        "America/New_York",
        "CFO",
    ),
    (
        "Maya de Vries",
        "maya@northwind.example",
        "assistant",
        "Europe/Amsterdam",
        "executive assistant to Lars",
    ),
    (
        "Daniel Brooks",
        "daniel@northwind.example",
        "assistant",
        "America/New_York",
        "assistant to Grace",
    ),
    (
        "Sofia Rossi",
        "sofia@northwind.example",
        "office_manager",
        "Europe/Amsterdam",
        "office manager",
    ),
    (
        "Tom Bakker",
        "tom@northwind.example",
        "staff",
        "Europe/Amsterdam",
        "product designer",
    ),
    (
        "Ana Lima",
        "ana@northwind.example",
        "staff",
        "America/New_York",
        "finance analyst",
    ),
    (
        "Ben Okafor",
        "ben@northwind.example",
        "staff",
        "America/New_York",
        "sales lead",
    ),
    (
        "Arjun Mehta",
        "arjun@northwind.example",
        "staff",
        "Asia/Kolkata",
        "support engineer",
    ),
    (
        "Priya Sharma",
        "priya@northwind.example",
        "contractor",
        "Asia/Kolkata",
        "virtual assistant",
    ),
];

/// Seeds Northwind when the database holds no organisation; returns whether it did.
pub async fn seed_if_empty(state: &AppState) -> Result<bool, ApiError> {
    if !state.store.org_list().await?.is_empty() {
        return Ok(false);
    }
    let caller = Caller::System("demo".into());
    let slug = OrgSlug::parse("northwind")?;
    let org = state
        .store
        .org_create(&slug, "Northwind", &caller.audit(Timestamp::now()))
        .await?;
    let mut ids = std::collections::HashMap::new();
    for (name, email, role, zone, _) in DEMO_PEOPLE {
        let p = ops::create_person(
            state,
            &caller,
            org.id,
            &PersonInput {
                name: (*name).into(),
                email: Some((*email).into()),
                role: (*role).into(),
                time_zone: Some((*zone).into()),
                password: Some(DEMO_PASSWORD.into()),
            },
        )
        .await?;
        ids.insert(*email, p.id.to_string());
    }
    let grants = [
        (
            "lars@northwind.example",
            "maya@northwind.example",
            vec!["calendar", "mail", "tasks", "travel", "expenses"],
            "act",
        ),
        (
            "grace@northwind.example",
            "daniel@northwind.example",
            vec!["calendar", "mail", "travel"],
            "act",
        ),
        (
            "grace@northwind.example",
            "maya@northwind.example",
            vec!["calendar"],
            "read",
        ),
    ];
    for (principal, delegate, scopes, level) in grants {
        ops::grant_delegation(
            state,
            &caller,
            org.id,
            &DelegationInput {
                principal: ids.get(principal).cloned().unwrap_or_default(),
                delegate: ids.get(delegate).cloned().unwrap_or_default(),
                scopes: scopes.into_iter().map(String::from).collect(),
                level: level.into(),
            },
        )
        .await?;
    }
    crate::demo_calendar::seed(state, org.id, &ids).await?;
    crate::demo_tasks::seed(state, org.id, &ids).await?;
    crate::demo_office::seed(state, org.id).await?;
    crate::demo_spaces::seed(state, org.id).await?;
    crate::demo_assets::seed(state, org.id, &ids).await?;
    crate::demo_expenses::seed(state, org.id).await?;
    crate::demo_mail::seed(state, org.id).await?;
    tracing::info!("seeded the demo organisation Northwind");
    Ok(true)
}
