//! The one place that decides who may see and do what.
//!
//! Handlers never reason about roles themselves: they build an [`Actor`] from
//! the authenticated request and ask this module. Every decision is a pure
//! function of the actor, the organisation and the item.

use crate::delegation::{Delegation, Level, Scope};
use crate::ids::{OrgId, PersonId};
use crate::people::Role;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Who may see an item besides its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone in the organisation (but contractors) may see it.
    Normal,
    /// Others see only that the time or item exists ("busy"), not what it is.
    Private,
    /// Only the owner and delegates holding the item's scope know it exists.
    Confidential,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [Visibility::Normal, Visibility::Private, Visibility::Confidential];
    pub fn as_str(&self) -> &'static str {
        match self {
            Visibility::Normal => "normal",
            Visibility::Private => "private",
            Visibility::Confidential => "confidential",
        }
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Visibility {
    type Err = crate::ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Visibility::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim())
            .ok_or_else(|| {
                crate::ValidationError::field(
                    "visibility",
                    format!("unknown visibility `{s}`; expected normal, private or confidential"),
                )
            })
    }
}

/// The authenticated person making a request, with the delegations they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub org: OrgId,
    pub person: PersonId,
    pub role: Role,
    /// Delegations in which this person is the delegate.
    pub delegations: Vec<Delegation>,
    /// The principal this request acts for, if any (checked by [`Actor::act_for`]).
    pub acting_for: Option<PersonId>,
}

impl Actor {
    /// Switches the actor to act for `principal`, if some delegation allows it.
    pub fn act_for(mut self, principal: PersonId) -> Result<Actor, Denied> {
        if principal == self.person {
            self.acting_for = None;
            return Ok(self);
        }
        if self
            .delegations
            .iter()
            .any(|d| d.principal == principal && d.org == self.org)
        {
            self.acting_for = Some(principal);
            Ok(self)
        } else {
            Err(Denied::new("you hold no delegation from that person"))
        }
    }

    /// The delegation (if any) that lets this actor work for `principal` in `scope` at `need`.
    pub fn delegation_for(&self, principal: PersonId, scope: Scope, need: Level) -> Option<&Delegation> {
        self.delegations
            .iter()
            .find(|d| d.org == self.org && d.principal == principal && d.allows(scope, need))
    }
}

/// An organisation-level capability, not tied to one owned item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// See the list of people in the organisation.
    ViewDirectory,
    /// Add people, change roles, disable logins, reset second factors.
    ManagePeople,
    /// See every delegation in the organisation and grant/revoke any.
    ManageAllDelegations,
    /// Read the audit log.
    ReadAudit,
    /// List and revoke anyone's API tokens.
    ManageAllTokens,
    /// Add and change rooms and other bookable resources, and travel times between places.
    ManageResources,
    /// Add, change and reassign the recurring duties of the responsibility grid.
    ManageDuties,
    /// See vendors and contracts: their value, their dates, their documents.
    ViewContracts,
    /// Add and change vendors and contracts, give notice, attach documents.
    ManageContracts,
    /// Add and change stock items, count them and receive deliveries.
    ManageStock,
    /// See every asset; register, assign, check out and in, maintain and retire them.
    ManageAssets,
    /// Approve or reject other people's expense reports.
    ApproveExpenses,
    /// Mark approved expense reports as paid back.
    ReimburseExpenses,
    /// Set the organisation's mail screening rules and its reply templates.
    ManageMailRules,
}

impl Capability {
    pub const ALL: [Capability; 14] = [
        Capability::ViewDirectory,
        Capability::ManagePeople,
        Capability::ManageAllDelegations,
        Capability::ReadAudit,
        Capability::ManageAllTokens,
        Capability::ManageResources,
        Capability::ManageDuties,
        Capability::ViewContracts,
        Capability::ManageContracts,
        Capability::ManageStock,
        Capability::ManageAssets,
        Capability::ApproveExpenses,
        Capability::ReimburseExpenses,
        Capability::ManageMailRules,
    ];
}

/// A refusal, with a reason that is safe to show the person refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Denied {
    pub reason: String,
}

impl Denied {
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

/// Decides an organisation-level capability for `actor` in organisation `org`.
pub fn may(actor: &Actor, org: OrgId, cap: Capability) -> Result<(), Denied> {
    if actor.org != org {
        return Err(Denied::new("that belongs to another organisation"));
    }
    let ok = match cap {
        Capability::ViewDirectory => actor.role != Role::Contractor,
        Capability::ManagePeople
        | Capability::ManageAllDelegations
        | Capability::ReadAudit
        | Capability::ManageAllTokens => actor.role == Role::Admin,
        Capability::ManageResources
        | Capability::ManageContracts
        | Capability::ManageStock
        | Capability::ManageAssets
        | Capability::ReimburseExpenses => {
            matches!(actor.role, Role::Admin | Role::OfficeManager)
        }
        Capability::ManageMailRules => {
            matches!(actor.role, Role::Admin | Role::OfficeManager | Role::Assistant)
        }
        Capability::ViewContracts => matches!(
            actor.role,
            Role::Admin | Role::OfficeManager | Role::Principal | Role::Assistant
        ),
        Capability::ManageDuties => matches!(
            actor.role,
            Role::Admin | Role::OfficeManager | Role::Principal | Role::Assistant
        ),
        Capability::ApproveExpenses => {
            matches!(actor.role, Role::Admin | Role::OfficeManager | Role::Principal)
        }
    };
    if ok {
        Ok(())
    } else {
        Err(Denied::new(match cap {
            Capability::ViewDirectory => "contractors see only what is shared with them",
            Capability::ManagePeople => "only administrators manage people",
            Capability::ManageAllDelegations => "only administrators manage other people's delegations",
            Capability::ReadAudit => "only administrators read the audit log",
            Capability::ManageAllTokens => "only administrators manage other people's tokens",
            Capability::ManageResources => {
                "only office managers and administrators manage rooms and travel times"
            }
            Capability::ManageDuties => {
                "only office managers, principals, assistants and administrators manage duties"
            }
            Capability::ViewContracts => {
                "only office managers, principals, assistants and administrators see vendors and contracts"
            }
            Capability::ManageContracts => {
                "only office managers and administrators manage vendors and contracts"
            }
            Capability::ManageStock => {
                "only office managers and administrators manage stock, count it and receive deliveries"
            }
            Capability::ManageAssets => {
                "only office managers and administrators manage assets; others see the equipment they hold"
            }
            Capability::ApproveExpenses => {
                "only office managers, principals and administrators approve expenses"
            }
            Capability::ReimburseExpenses => {
                "only office managers and administrators mark expenses as reimbursed"
            }
            Capability::ManageMailRules => {
                "only assistants, office managers and administrators set the organisation's mail rules and templates"
            }
        }))
    }
}

/// Whether `actor` may grant or revoke a delegation whose principal is `principal`.
///
/// A principal manages delegations of their own work; admins manage all.
pub fn may_manage_delegation(actor: &Actor, org: OrgId, principal: PersonId) -> Result<(), Denied> {
    if actor.org != org {
        return Err(Denied::new("that belongs to another organisation"));
    }
    if actor.role == Role::Admin || actor.person == principal {
        Ok(())
    } else {
        Err(Denied::new(
            "only the principal or an administrator manages this delegation",
        ))
    }
}

/// What is being done to an owned item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    Read,
    Write,
}

/// An owned item as the policy sees it: whose it is, how visible, which scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemRef {
    pub org: OrgId,
    pub owner: PersonId,
    pub visibility: Visibility,
    pub scope: Scope,
    /// Explicitly shared with the actor (how contractors see anything at all).
    pub shared_with_actor: bool,
}

/// How much of an item the actor gets to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    /// Every detail.
    Full,
    /// Only that it exists and when: "busy".
    BusyOnly,
}

/// Decides access to an owned item. `Ok(View)` on a read says how much to show.
///
/// Rules, in order:
/// 1. Another organisation's item: denied, whatever the role (not even admins).
/// 2. The owner: full access.
/// 3. A delegate of the owner holding the item's scope: full read; write needs level `act`.
///    Delegates see private and confidential items: that is what delegation is for.
/// 4. Anyone it was explicitly shared with: full read; no write.
/// 5. Contractors: nothing else.
/// 6. Others in the organisation: normal items in full, private ones as busy only,
///    confidential ones not at all; no writes. Administrators are no exception —
///    they run the system, not the principals' diaries.
pub fn item_access(actor: &Actor, item: &ItemRef, access: Access) -> Result<View, Denied> {
    if actor.org != item.org {
        return Err(Denied::new("that belongs to another organisation"));
    }
    if actor.person == item.owner {
        return Ok(View::Full);
    }
    let need = match access {
        Access::Read => Level::Read,
        Access::Write => Level::Act,
    };
    if actor.delegation_for(item.owner, item.scope, need).is_some() {
        return Ok(View::Full);
    }
    if actor
        .delegation_for(item.owner, item.scope, Level::Read)
        .is_some()
    {
        return Err(Denied::new("your delegation for this area is read-only"));
    }
    if access == Access::Write {
        return Err(Denied::new(
            "only the owner or a delegate with `act` may change this",
        ));
    }
    if item.shared_with_actor {
        return Ok(View::Full);
    }
    if actor.role == Role::Contractor {
        return Err(Denied::new("contractors see only what is shared with them"));
    }
    match item.visibility {
        Visibility::Normal => Ok(View::Full),
        Visibility::Private => Ok(View::BusyOnly),
        Visibility::Confidential => Err(Denied::new("this item is confidential")),
    }
}

#[cfg(test)]
mod tests {
    //! A generated matrix: every role × visibility × same/other organisation ×
    //! owner/delegate(read|act, with/without scope)/other × read/write,
    //! each compared against the rules written out independently below.
    use super::*;
    use crate::ids::DelegationId;
    use uuid::Uuid;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Relation {
        Owner,
        Delegate(Level, bool),
        Shared,
        Other,
    }

    fn expected(role: Role, vis: Visibility, same_org: bool, rel: Relation, acc: Access) -> Option<View> {
        if !same_org {
            return None;
        }
        match rel {
            Relation::Owner => Some(View::Full),
            Relation::Delegate(Level::Act, true) => Some(View::Full),
            Relation::Delegate(Level::Read, true) => (acc == Access::Read).then_some(View::Full),
            Relation::Shared if acc == Access::Read => Some(View::Full),
            _ if acc == Access::Write => None,
            _ if role == Role::Contractor => None,
            _ => match vis {
                Visibility::Normal => Some(View::Full),
                Visibility::Private => Some(View::BusyOnly),
                Visibility::Confidential => None,
            },
        }
    }

    #[test]
    fn item_access_matrix() {
        let org = OrgId(id(1));
        let other_org = OrgId(id(2));
        let owner = PersonId(id(10));
        let me = PersonId(id(11));
        let mut checked = 0;
        for role in Role::ALL {
            for vis in Visibility::ALL {
                for same_org in [true, false] {
                    let rels = [
                        Relation::Owner,
                        Relation::Delegate(Level::Read, true),
                        Relation::Delegate(Level::Act, true),
                        Relation::Delegate(Level::Act, false),
                        Relation::Shared,
                        Relation::Other,
                    ];
                    for rel in rels {
                        for acc in [Access::Read, Access::Write] {
                            let person = if rel == Relation::Owner { owner } else { me };
                            let delegations = match rel {
                                Relation::Delegate(level, has_scope) => vec![Delegation {
                                    id: DelegationId(id(99)),
                                    org,
                                    principal: owner,
                                    delegate: me,
                                    scopes: if has_scope {
                                        vec![Scope::Calendar]
                                    } else {
                                        vec![Scope::Mail]
                                    },
                                    level,
                                }],
                                _ => vec![],
                            };
                            let actor = Actor {
                                org: if same_org { org } else { other_org },
                                person,
                                role,
                                delegations,
                                acting_for: None,
                            };
                            let item = ItemRef {
                                org,
                                owner,
                                visibility: vis,
                                scope: Scope::Calendar,
                                shared_with_actor: rel == Relation::Shared,
                            };
                            let got = item_access(&actor, &item, acc).ok();
                            let want = expected(role, vis, same_org, rel, acc);
                            assert_eq!(got, want, "{role:?} {vis:?} same_org={same_org} {rel:?} {acc:?}");
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 6 * 3 * 2 * 6 * 2);
    }

    #[test]
    fn capability_matrix() {
        let org = OrgId(id(1));
        for role in Role::ALL {
            for same in [true, false] {
                let actor = Actor {
                    org: if same { org } else { OrgId(id(2)) },
                    person: PersonId(id(5)),
                    role,
                    delegations: vec![],
                    acting_for: None,
                };
                for cap in Capability::ALL {
                    let want = same
                        && match cap {
                            Capability::ViewDirectory => role != Role::Contractor,
                            Capability::ManageResources => role == Role::Admin || role == Role::OfficeManager,
                            Capability::ManageDuties | Capability::ViewContracts => {
                                !matches!(role, Role::Staff | Role::Contractor)
                            }
                            Capability::ManageContracts
                            | Capability::ManageStock
                            | Capability::ReimburseExpenses => {
                                role == Role::Admin || role == Role::OfficeManager
                            }
                            Capability::ManageAssets => matches!(role, Role::Admin | Role::OfficeManager),
                            Capability::ApproveExpenses => {
                                matches!(role, Role::Admin | Role::OfficeManager | Role::Principal)
                            }
                            Capability::ManageMailRules => {
                                matches!(role, Role::Admin | Role::OfficeManager | Role::Assistant)
                            }
                            _ => role == Role::Admin,
                        };
                    assert_eq!(
                        may(&actor, org, cap).is_ok(),
                        want,
                        "{role:?} {cap:?} same={same}"
                    );
                }
            }
        }
    }

    #[test]
    fn acting_for_needs_a_delegation() {
        let org = OrgId(id(1));
        let lars = PersonId(id(10));
        let maya = PersonId(id(11));
        let base = Actor {
            org,
            person: maya,
            role: Role::Assistant,
            delegations: vec![],
            acting_for: None,
        };
        assert!(base.clone().act_for(lars).is_err());
        let with = Actor {
            delegations: vec![Delegation {
                id: DelegationId(id(3)),
                org,
                principal: lars,
                delegate: maya,
                scopes: vec![Scope::Calendar],
                level: Level::Act,
            }],
            ..base
        };
        assert_eq!(with.act_for(lars).ok().and_then(|a| a.acting_for), Some(lars));
    }
}
