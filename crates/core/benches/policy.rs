//! How fast the policy decides: every request asks it at least once.
//! Run with `cargo bench -p adjutant-core --bench policy`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use adjutant_core::delegation::{Delegation, Level, Scope};
use adjutant_core::ids::{DelegationId, OrgId, PersonId};
use adjutant_core::people::Role;
use adjutant_core::policy::{Access, Actor, ItemRef, Visibility, item_access};
use std::hint::black_box;
use std::time::Instant;
use uuid::Uuid;

fn main() {
    let org = OrgId(Uuid::from_u128(1));
    // An assistant holding 20 delegations (a busy executive office), asking about
    // items owned by the last principal: the worst case of the delegation scan.
    let me = PersonId(Uuid::from_u128(2));
    let delegations: Vec<Delegation> = (0..20u128)
        .map(|i| Delegation {
            id: DelegationId(Uuid::from_u128(100 + i)),
            org,
            principal: PersonId(Uuid::from_u128(1000 + i)),
            delegate: me,
            scopes: vec![Scope::Calendar, Scope::Mail],
            level: Level::Act,
        })
        .collect();
    let actor = Actor {
        org,
        person: me,
        role: Role::Assistant,
        delegations,
        acting_for: None,
    };
    let items: Vec<ItemRef> = (0..1000u128)
        .map(|i| ItemRef {
            org,
            owner: PersonId(Uuid::from_u128(1000 + (i % 25))),
            visibility: [Visibility::Normal, Visibility::Private, Visibility::Confidential][(i % 3) as usize],
            scope: [Scope::Calendar, Scope::Tasks][(i % 2) as usize],
            shared_with_actor: false,
        })
        .collect();
    let rounds = 2_000;
    let start = Instant::now();
    let mut allowed = 0usize;
    for _ in 0..rounds {
        for item in &items {
            if item_access(black_box(&actor), black_box(item), Access::Write).is_ok() {
                allowed += 1;
            }
        }
    }
    let took = start.elapsed();
    let n = rounds * items.len();
    println!(
        "policy item_access: {n} decisions in {:.1} ms = {:.0} ns/decision ({allowed} allowed)",
        took.as_secs_f64() * 1e3,
        took.as_nanos() as f64 / n as f64
    );
}
