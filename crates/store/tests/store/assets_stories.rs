//! Asset stories: registering, assigning, checking out and in, maintenance,
//! retirement, the history of each, and several people checking out one
//! laptop at once — exactly one wins, on both engines.

use super::office_stories::futures_join_all;
use super::*;
use adjutant_core::office::asset::{Action, AssetData, AssetKind, Condition, Status};
use adjutant_core::office::money::{Currency, Money};
use adjutant_store::assets::EventDetails;
use jiff::civil::{Date, date};

fn laptop(tag: &str) -> AssetData {
    AssetData {
        tag: tag.into(),
        kind: AssetKind::Laptop,
        model: "ThinkPad X1 Carbon".into(),
        manufacturer: "Lenovo".into(),
        serial: "PF3ABC12".into(),
        purchased: Some(date(2025, 1, 31)),
        cost: Some(Money::new(189_900, Currency::eur())),
        vendor: None,
        warranty_end: Some(date(2028, 1, 31)),
        licence_expiry: None,
        maintenance_months: Some(12),
        location: "Amsterdam".into(),
        notes: String::new(),
    }
}

const TODAY: Date = date(2026, 12, 3);

fn note(s: &str) -> EventDetails {
    EventDetails {
        note: s.into(),
        cost: None,
    }
}

#[tokio::test]
async fn assets_go_out_come_back_and_keep_their_history() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let sofia = add_person(s, org.id, "Sofia", None, Role::OfficeManager, 3).await;
        let tom = add_person(s, org.id, "Tom", None, Role::Staff, 4).await;
        let ana = add_person(s, org.id, "Ana", None, Role::Staff, 5).await;
        let stranger = add_person(s, other.id, "Stranger", None, Role::Staff, 6).await;

        let a = s.asset_create(org.id, &laptop("NW-LT-0042"), &by(&sofia, 10)).await.unwrap();
        assert_eq!(a.state.status(), Status::Available);
        // The tag is unique within the organisation, case aside; another organisation may use it.
        assert_err!(
            s.asset_create(org.id, &laptop("nw-lt-0042"), &by(&sofia, 11)).await,
            StoreError::Conflict(m) if m.contains("already exists")
        );
        let theirs = s.asset_create(other.id, &laptop("NW-LT-0042"), &cli(12)).await.unwrap();
        assert_err!(s.asset_get(other.id, a.id).await, StoreError::NotFound(_));
        assert_eq!(s.asset_by_tag(org.id, " nw-lt-0042").await.unwrap().id, a.id);

        // Checked out to Tom until next week.
        let (out, e) = s
            .asset_act(
                org.id,
                a.id,
                &Action::Assign { to: tom.id, expected_return: Some(date(2026, 12, 10)) },
                TODAY,
                &note("trip to New York"),
                &by(&sofia, 20),
            )
            .await
            .unwrap();
        assert_eq!(out.state.status(), Status::CheckedOut);
        assert_eq!(out.holder_name.as_deref(), Some("Tom"));
        assert_eq!((e.kind.as_str(), e.person_label.as_str()), ("checkout", "Tom"));
        assert_eq!(s.asset_list_held(org.id, tom.id).await.unwrap().len(), 1);
        // Already out: refused inside the transaction, nothing written.
        let before = audit(s, org.id).await.len();
        assert_err!(
            s.asset_act(org.id, a.id, &Action::Assign { to: ana.id, expected_return: None }, TODAY, &note(""), &by(&sofia, 21)).await,
            StoreError::Invalid(v) if v.errors[0].field == "status"
        );
        // A person of another organisation, or an asset of another organisation: refused too.
        assert_err!(
            s.asset_act(org.id, theirs.id, &Action::Retire, TODAY, &note(""), &by(&sofia, 22)).await,
            StoreError::NotFound(_)
        );
        let spare = s.asset_create(org.id, &laptop("NW-LT-0043"), &by(&sofia, 23)).await.unwrap();
        let before_spare = audit(s, org.id).await.len();
        assert_eq!(before_spare, before + 1);
        assert_err!(
            s.asset_act(org.id, spare.id, &Action::Assign { to: stranger.id, expected_return: None }, TODAY, &note(""), &by(&sofia, 24)).await,
            StoreError::Invalid(v) if v.errors[0].field == "person"
        );
        assert_eq!(audit(s, org.id).await.len(), before_spare);
        assert_eq!(s.asset_get(org.id, spare.id).await.unwrap().state.holder, None);

        // Back broken: in maintenance until repaired; maintenance with its cost clears it.
        let (back, e) = s
            .asset_act(org.id, a.id, &Action::CheckIn { condition: Condition::Broken }, TODAY, &note("hinge snapped"), &by(&sofia, 30))
            .await
            .unwrap();
        assert_eq!((back.state.status(), e.person_label.as_str()), (Status::InMaintenance, "Tom"));
        assert_eq!(e.condition, Some(Condition::Broken));
        assert!(s.asset_list_held(org.id, tom.id).await.unwrap().is_empty());
        let repair = EventDetails {
            note: "hinge replaced".into(),
            cost: Some(Money::new(14_500, Currency::eur())),
        };
        let (fixed, e) = s
            .asset_act(org.id, a.id, &Action::Maintain { on: TODAY }, TODAY, &repair, &by(&sofia, 40))
            .await
            .unwrap();
        assert_eq!(fixed.state.status(), Status::Available);
        assert_eq!(e.cost.map(|m| m.to_string()).as_deref(), Some("EUR 145.00"));
        assert_eq!(fixed.data.next_maintenance(fixed.state.last_maintenance), Some(date(2027, 12, 3)));

        // Changed, then retired; a retired asset cannot go out.
        let mut changed = laptop("NW-LT-0042");
        changed.location = "New York".into();
        let up = s.asset_update(org.id, a.id, &changed, "", &by(&sofia, 50)).await.unwrap();
        assert_eq!((up.data.location.as_str(), up.state.status()), ("New York", Status::Available));
        s.asset_act(org.id, a.id, &Action::Retire, TODAY, &note("end of life"), &by(&sofia, 60)).await.unwrap();
        assert_err!(
            s.asset_act(org.id, a.id, &Action::Assign { to: ana.id, expected_return: None }, TODAY, &note(""), &by(&sofia, 61)).await,
            StoreError::Invalid(_)
        );
        let history = s.asset_history(org.id, a.id).await.unwrap();
        let kinds: Vec<&str> = history.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["retire", "edit", "maintain", "checkin", "checkout", "create"]);
        assert_eq!(history[4].expected_return, Some(date(2026, 12, 10)));
        assert_eq!(history[4].by_label, "Sofia");
        assert!(s.asset_history(other.id, a.id).await.unwrap().is_empty());
        let a_ = actions(s, org.id).await;
        for want in ["asset.create", "asset.checkout", "asset.checkin", "asset.maintain", "asset.update", "asset.retire"] {
            assert!(a_.iter().any(|x| x == want), "{want} not in {a_:?}");
        }
        assert_eq!(s.asset_list(org.id).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn several_people_check_out_one_laptop_at_once_and_exactly_one_wins() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let sofia = add_person(s, org.id, "Sofia", None, Role::OfficeManager, 2).await;
        let mut people = Vec::new();
        for i in 0..6 {
            people.push(add_person(s, org.id, &format!("Person {i}"), None, Role::Staff, 3 + i).await);
        }
        let a = s
            .asset_create(org.id, &laptop("NW-LT-0099"), &cli(20))
            .await
            .unwrap();
        let tries = people.iter().enumerate().map(|(i, p)| {
            let ctx = by(&sofia, 30 + i as i64);
            let to = p.id;
            async move {
                s.asset_act(
                    org.id,
                    a.id,
                    &Action::Assign {
                        to,
                        expected_return: Some(date(2026, 12, 10)),
                    },
                    TODAY,
                    &note(""),
                    &ctx,
                )
                .await
            }
        });
        let results = futures_join_all(tries).await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
        assert!(
            results
                .iter()
                .filter_map(|r| r.as_ref().err())
                .all(|e| matches!(e, StoreError::Invalid(v) if v.errors[0].field == "status"))
        );
        let winner = results
            .iter()
            .find_map(|r| r.as_ref().ok())
            .map(|(r, _)| r.state.holder)
            .unwrap();
        let stored = s.asset_get(org.id, a.id).await.unwrap();
        assert_eq!(stored.state.holder, winner);
        let history = s.asset_history(org.id, a.id).await.unwrap();
        assert_eq!(history.iter().filter(|e| e.kind == "checkout").count(), 1);
        assert_eq!(count_action(s, org.id, "asset.checkout").await, 1);
    })
    .await;
}
