//! Office stories: vendors, contracts with notice given and withdrawn, and
//! their documents.

use super::*;
use adjutant_core::ids::VendorId;
use adjutant_core::office::contract::{ContractData, Notice, Period};
use adjutant_core::office::money::{Currency, Money};
use adjutant_core::office::vendor::{VendorContact, VendorData};
use jiff::civil::date;

pub(crate) fn vendor(name: &str) -> VendorData {
    VendorData {
        name: name.into(),
        categories: vec!["cleaning".into()],
        contacts: vec![VendorContact {
            name: "Anouk de Vries".into(),
            role: "account manager".into(),
            email: "anouk@sparkle.example".into(),
            phone: "+31 20 555 0101".into(),
        }],
        website: "https://sparkle.example".into(),
        notes: String::new(),
    }
}

fn contract(title: &str, vendor: VendorId, owner: Option<PersonId>) -> ContractData {
    ContractData {
        title: title.into(),
        vendor,
        reference: "SC-2025-014".into(),
        category: "cleaning".into(),
        owner,
        start: date(2025, 1, 1),
        term_months: 24,
        auto_renew: true,
        renewal_months: 12,
        notice: Notice::months(3),
        value: Money::new(420_000, Currency::eur()),
        value_period: Period::Month,
        alert_days: 30,
        notes: String::new(),
    }
}

#[tokio::test]
async fn vendors_contracts_notice_and_documents() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let sofia = add_person(s, org.id, "Sofia", None, Role::OfficeManager, 3).await;
        let stranger = add_person(s, other.id, "Stranger", None, Role::Staff, 4).await;

        let sparkle = s.vendor_create(org.id, &vendor("Sparkle Cleaning BV"), &by(&sofia, 10)).await.unwrap();
        assert_eq!(sparkle.data.contacts.len(), 1);
        assert_eq!(sparkle.contracts, 0);
        // The name is unique within the organisation, case and spacing aside…
        assert_err!(
            s.vendor_create(org.id, &vendor("  sparkle   CLEANING bv"), &by(&sofia, 11)).await,
            StoreError::Conflict(m) if m.contains("already exists")
        );
        // …but another organisation may use it, and sees nothing of ours.
        let theirs = s.vendor_create(other.id, &vendor("Sparkle Cleaning BV"), &cli(12)).await.unwrap();
        assert_err!(s.vendor_get(other.id, sparkle.id).await, StoreError::NotFound(_));
        assert_eq!(s.vendor_by_name(org.id, "sparkle cleaning bv").await.unwrap().id, sparkle.id);

        let k = s
            .contract_create(org.id, &contract("Office cleaning", sparkle.id, Some(sofia.id)), &by(&sofia, 20))
            .await
            .unwrap();
        assert_eq!(k.vendor_name, "Sparkle Cleaning BV");
        assert_eq!(k.data.value.minor, 420_000);
        assert_eq!(k.notice_given, None);
        // A vendor or an owner of another organisation is refused, and nothing is stored.
        assert_err!(
            s.contract_create(org.id, &contract("Theirs", theirs.id, None), &cli(21)).await,
            StoreError::Conflict(m) if m.contains("vendor")
        );
        assert_err!(
            s.contract_create(org.id, &contract("Foreign owner", sparkle.id, Some(stranger.id)), &cli(22)).await,
            StoreError::Conflict(m) if m.contains("owner")
        );
        assert_eq!(s.contract_list(org.id, None).await.unwrap().len(), 1);
        assert_eq!(s.contract_list(other.id, None).await.unwrap().len(), 0);
        assert_eq!(s.vendor_get(org.id, sparkle.id).await.unwrap().contracts, 1);

        // A vendor holding contracts cannot be deleted.
        assert_err!(
            s.vendor_delete(org.id, sparkle.id, &cli(23)).await,
            StoreError::Conflict(m) if m.contains("holds 1 contract")
        );

        let mut changed = k.data.clone();
        changed.notice = Notice::months(2);
        let k2 = s.contract_update(org.id, k.id, &changed, &by(&sofia, 30)).await.unwrap();
        assert_eq!(k2.data.notice, Notice::months(2));
        assert_err!(s.contract_update(other.id, k.id, &changed, &cli(31)).await, StoreError::NotFound(_));

        let given = s
            .contract_set_notice(org.id, k.id, Some((date(2026, 9, 15), "sent by registered mail")), &by(&sofia, 40))
            .await
            .unwrap();
        let notice = given.notice_given.clone().unwrap();
        assert_eq!((notice.on, notice.by, notice.note.as_str()), (date(2026, 9, 15), Some(sofia.id), "sent by registered mail"));
        let withdrawn = s.contract_set_notice(org.id, k.id, None, &by(&sofia, 41)).await.unwrap();
        assert_eq!(withdrawn.notice_given, None);

        let doc = s
            .document_add(org.id, k.id, "signed.pdf", "application/pdf", "abc123", b"%PDF-1.7 signed", &by(&sofia, 50))
            .await
            .unwrap();
        assert_eq!(doc.size, 15);
        assert_eq!(s.contract_get(org.id, k.id).await.unwrap().documents, 1);
        let (meta, bytes) = s.document_get(org.id, k.id, doc.id).await.unwrap();
        assert_eq!((meta.filename.as_str(), bytes.as_slice()), ("signed.pdf", b"%PDF-1.7 signed".as_slice()));
        assert_err!(s.document_get(other.id, k.id, doc.id).await, StoreError::NotFound(_));
        assert_eq!(s.documents_of(org.id, k.id).await.unwrap().len(), 1);
        s.document_delete(org.id, k.id, doc.id, &by(&sofia, 51)).await.unwrap();
        assert!(s.documents_of(org.id, k.id).await.unwrap().is_empty());

        s.document_add(org.id, k.id, "annex.pdf", "application/pdf", "def", b"%PDF annex", &cli(52)).await.unwrap();
        let gone = s.contract_delete(org.id, k.id, &by(&sofia, 60)).await.unwrap();
        assert_eq!(gone.documents, 1);
        assert_err!(s.contract_get(org.id, k.id).await, StoreError::NotFound(_));
        s.vendor_delete(org.id, sparkle.id, &by(&sofia, 61)).await.unwrap();
        assert!(s.vendor_list(org.id).await.unwrap().is_empty());

        let a = actions(s, org.id).await;
        for want in [
            "vendor.create", "contract.create", "contract.update", "contract.notice", "contract.notice_withdrawn",
            "contract.document_add", "contract.document_delete", "contract.delete", "vendor.delete",
        ] {
            assert!(a.iter().any(|x| x == want), "{want} not in {a:?}");
        }
        // The audit entry of a file names it, never holds its content.
        let entries = audit(s, org.id).await;
        assert!(entries.iter().all(|e| !e.details.to_string().contains("PDF annex")));
    })
    .await;
}

fn toner(vendor: Option<VendorId>) -> adjutant_core::office::stock::StockItemData {
    adjutant_core::office::stock::StockItemData {
        name: "Printer toner, black".into(),
        sku: "TN-2420".into(),
        unit: "cartridge".into(),
        category: "printing".into(),
        location: "stock room".into(),
        reorder_point: 3,
        reorder_quantity: 6,
        preferred_vendor: vendor,
        unit_price: Some(Money::new(7_450, Currency::eur())),
        notes: String::new(),
    }
}

#[tokio::test]
async fn stock_moves_only_within_what_is_there() {
    use adjutant_core::office::stock::MovementKind;
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let sofia = add_person(s, org.id, "Sofia", None, Role::OfficeManager, 3).await;
        let tom = add_person(s, org.id, "Tom", None, Role::Staff, 4).await;
        let print = s
            .vendor_create(org.id, &vendor("Copperfield Print"), &cli(5))
            .await
            .unwrap();
        let theirs = s
            .vendor_create(other.id, &vendor("Their Print"), &cli(6))
            .await
            .unwrap();

        let item = s
            .stock_create(org.id, &toner(Some(print.id)), 5, &by(&sofia, 10))
            .await
            .unwrap();
        assert_eq!(
            (item.quantity, item.vendor_name.as_deref()),
            (5, Some("Copperfield Print"))
        );
        assert_eq!(item.last_counted, Some(t(10)));
        assert_err!(
            s.stock_create(org.id, &toner(None), 1, &cli(11)).await,
            StoreError::Conflict(m) if m.contains("already exists")
        );
        let mut foreign = toner(Some(theirs.id));
        foreign.name = "Paper".into();
        assert_err!(
            s.stock_create(org.id, &foreign, 1, &cli(12)).await,
            StoreError::Conflict(_)
        );
        assert_err!(s.stock_get(other.id, item.id).await, StoreError::NotFound(_));

        let (after, m) = s
            .stock_move(
                org.id,
                item.id,
                MovementKind::Consume,
                2,
                "for the 3rd floor",
                &by(&tom, 20),
            )
            .await
            .unwrap();
        assert_eq!(
            (after.quantity, m.delta, m.quantity_after, m.by),
            (3, -2, 3, Some(tom.id))
        );
        // Taking more than there is: refused, nothing written.
        let before = actions(s, org.id).await.len();
        assert_err!(
            s.stock_move(org.id, item.id, MovementKind::Consume, 4, "", &by(&tom, 21)).await,
            StoreError::Invalid(e) if e.summary().contains("only 3 cartridges in stock")
        );
        assert_eq!(s.stock_get(org.id, item.id).await.unwrap().quantity, 3);
        assert_eq!(actions(s, org.id).await.len(), before);
        let (after, _) = s
            .stock_move(
                org.id,
                item.id,
                MovementKind::Receive,
                6,
                "order 1042",
                &by(&sofia, 30),
            )
            .await
            .unwrap();
        assert_eq!(after.quantity, 9);
        let (after, m) = s
            .stock_move(
                org.id,
                item.id,
                MovementKind::Count,
                8,
                "monthly count",
                &by(&sofia, 40),
            )
            .await
            .unwrap();
        assert_eq!((after.quantity, m.delta), (8, -1));
        assert_eq!(after.last_counted, Some(t(40)));
        assert_err!(
            s.stock_move(other.id, item.id, MovementKind::Consume, 1, "", &cli(41))
                .await,
            StoreError::NotFound(_)
        );
        let history = s.stock_movements(org.id, item.id, 10).await.unwrap();
        let kinds: Vec<&str> = history.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(kinds, ["count", "receive", "consume", "count"]);

        // Eight people take one each of the last three at once: exactly three succeed.
        let mut paper = toner(None);
        paper.name = "Paper A4".into();
        let paper = s.stock_create(org.id, &paper, 3, &cli(42)).await.unwrap();
        let takes = (0..8).map(|i| {
            let ctx = by(&tom, 43 + i);
            async move {
                s.stock_move(org.id, paper.id, MovementKind::Consume, 1, "", &ctx)
                    .await
            }
        });
        let results = futures_join_all(takes).await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 3);
        assert!(
            results
                .iter()
                .filter_map(|r| r.as_ref().err())
                .all(|e| matches!(e, StoreError::Invalid(_)))
        );
        assert_eq!(s.stock_get(org.id, paper.id).await.unwrap().quantity, 0);
        s.stock_delete(org.id, paper.id, &cli(55)).await.unwrap();

        let mut renamed = toner(None);
        renamed.reorder_point = 10;
        let up = s
            .stock_update(org.id, item.id, &renamed, &by(&sofia, 50))
            .await
            .unwrap();
        assert_eq!((up.quantity, up.vendor_name), (8, None));
        assert_eq!(
            s.stock_by_name(org.id, "printer TONER, black").await.unwrap().id,
            item.id
        );
        s.stock_delete(org.id, item.id, &by(&sofia, 60)).await.unwrap();
        assert!(s.stock_list(org.id).await.unwrap().is_empty());
        let a = actions(s, org.id).await;
        for want in [
            "stock.create",
            "stock.consume",
            "stock.receive",
            "stock.count",
            "stock.update",
            "stock.delete",
        ] {
            assert!(a.iter().any(|x| x == want), "{want} not in {a:?}");
        }
    })
    .await;
}

/// Runs the futures concurrently and collects their results in order.
pub(super) async fn futures_join_all<F: std::future::Future>(
    fs: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let handles: Vec<_> = fs.into_iter().collect();
    let mut out = Vec::new();
    let mut pinned: Vec<_> = handles.into_iter().map(Box::pin).collect();
    // Poll all of them together until each is done.
    let mut done: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if done[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => done[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.extend(done.into_iter().flatten());
    out
}

#[tokio::test]
async fn purchases_are_approved_once_and_received_into_stock() {
    use adjutant_core::office::purchase::{Line, PurchaseData, Status};
    use adjutant_core::office::stock::MovementKind;
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let sofia = add_person(s, org.id, "Sofia", None, Role::OfficeManager, 3).await;
        let lars = add_person(s, org.id, "Lars", None, Role::Principal, 4).await;
        let print = s.vendor_create(org.id, &vendor("Copperfield Print"), &cli(5)).await.unwrap();
        let item = s.stock_create(org.id, &toner(Some(print.id)), 2, &cli(6)).await.unwrap();
        let theirs = s.stock_create(other.id, &toner(None), 2, &cli(7)).await.unwrap();
        let order = |stock| PurchaseData {
            title: "Toner restock".into(),
            vendor: Some(print.id),
            category: "printing".into(),
            currency: Currency::eur(),
            lines: vec![
                Line {
                    description: "Printer toner, black".into(),
                    stock_item: Some(stock),
                    quantity: 6,
                    unit_price: Money::new(7_450, Currency::eur()),
                    received: 0,
                },
                Line {
                    description: "Delivery".into(),
                    stock_item: None,
                    quantity: 1,
                    unit_price: Money::new(995, Currency::eur()),
                    received: 0,
                },
            ],
            needed_by: None,
            notes: String::new(),
        };
        let p = s.purchase_create(org.id, &order(item.id), Status::Draft, None, "stock rule", &cli(10)).await.unwrap();
        assert_eq!(p.number, format!("PO-{}-0001", t(10).to_zoned(jiff::tz::TimeZone::UTC).year()));
        assert_eq!(p.data.total(), Some(Money::new(45_695, Currency::eur())));
        assert_eq!(p.vendor_name.as_deref(), Some("Copperfield Print"));
        // A line for another organisation's stock item is refused.
        assert_err!(
            s.purchase_create(org.id, &order(theirs.id), Status::Draft, Some(sofia.id), "Sofia", &cli(11)).await,
            StoreError::Conflict(m) if m.contains("stock item")
        );
        let second = s.purchase_create(org.id, &order(item.id), Status::Submitted, Some(sofia.id), "Sofia", &by(&sofia, 12)).await.unwrap();
        assert!(second.number.ends_with("-0002"));

        // Receiving before approval is refused; nothing moves.
        assert_err!(
            s.purchase_receive(org.id, p.id, &[(0, 6)], "", &by(&sofia, 13)).await,
            StoreError::Invalid(_)
        );
        assert_eq!(s.stock_get(org.id, item.id).await.unwrap().quantity, 2);

        let waiting = [Status::Draft, Status::Submitted];
        let ok = s.purchase_transition(org.id, p.id, &waiting, Status::Ordered, Some("within budget"), &by(&sofia, 20)).await.unwrap();
        assert_eq!((ok.status, ok.decided_by, ok.decision_note.as_str()), (Status::Ordered, Some(sofia.id), "within budget"));
        // A second decision finds it decided.
        assert_err!(
            s.purchase_transition(org.id, p.id, &waiting, Status::Rejected, Some("no"), &by(&lars, 21)).await,
            StoreError::Conflict(m) if m.contains("is ordered")
        );
        assert_err!(s.purchase_update(org.id, p.id, &order(item.id), &cli(22)).await, StoreError::Conflict(_));

        let (part, moves) = s.purchase_receive(org.id, p.id, &[(0, 4)], "box 1 of 2", &by(&sofia, 30)).await.unwrap();
        assert_eq!((part.status, part.data.lines[0].received, moves.len()), (Status::PartlyReceived, 4, 1));
        assert_eq!(moves[0].kind, MovementKind::Receive);
        assert_eq!(s.stock_get(org.id, item.id).await.unwrap().quantity, 6);
        // More than is still due: refused, stock untouched.
        assert_err!(
            s.purchase_receive(org.id, p.id, &[(0, 3), (1, 1)], "", &by(&sofia, 31)).await,
            StoreError::Invalid(e) if e.summary().contains("still due")
        );
        assert_eq!(s.stock_get(org.id, item.id).await.unwrap().quantity, 6);
        let (done, _) = s.purchase_receive(org.id, p.id, &[(0, 2), (1, 1)], "", &by(&sofia, 32)).await.unwrap();
        assert_eq!(done.status, Status::Received);
        assert_eq!(s.stock_get(org.id, item.id).await.unwrap().quantity, 8);

        let rejected = s.purchase_transition(org.id, second.id, &waiting, Status::Rejected, Some("ordered already"), &by(&lars, 40)).await.unwrap();
        assert_eq!(rejected.status, Status::Rejected);
        assert_eq!(s.purchase_list(org.id, &[Status::Received]).await.unwrap().len(), 1);
        assert_eq!(s.purchase_list(org.id, &[]).await.unwrap().len(), 2);
        assert!(s.purchase_list(other.id, &[]).await.unwrap().is_empty());
        assert_err!(s.purchase_get(other.id, p.id).await, StoreError::NotFound(_));
        let a = actions(s, org.id).await;
        for want in ["purchase.create", "purchase.ordered", "purchase.receive", "purchase.rejected"] {
            assert!(a.iter().any(|x| x == want), "{want} not in {a:?}");
        }
        // The delivery's audit entry names the stock it counted in.
        let entry = audit(s, org.id).await.into_iter().find(|e| e.action == "purchase.receive").unwrap();
        assert_eq!(entry.details["stock"][0]["item"], serde_json::json!(item.id));
    })
    .await;
}

#[tokio::test]
async fn invoices_are_approved_then_paid_and_keep_their_contract() {
    use adjutant_core::office::invoice::{InvoiceData, InvoiceLine, InvoiceStatus};
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let sofia = add_person(s, org.id, "Sofia", None, Role::OfficeManager, 3).await;
        let lars = add_person(s, org.id, "Lars", None, Role::Principal, 4).await;
        let sparkle = s.vendor_create(org.id, &vendor("Sparkle Cleaning BV"), &cli(5)).await.unwrap();
        let theirs = s.vendor_create(other.id, &vendor("Sparkle Cleaning BV"), &cli(6)).await.unwrap();
        let k = s.contract_create(org.id, &contract("Office cleaning", sparkle.id, None), &cli(7)).await.unwrap();
        let inv = |vendor: VendorId| InvoiceData {
            vendor,
            number: "SC-2026-1130".into(),
            issued_on: date(2026, 11, 30),
            due_on: date(2026, 12, 30),
            currency: Currency::eur(),
            lines: vec![InvoiceLine {
                description: "Office cleaning, November".into(),
                quantity: 1,
                unit_price: Money::new(420_000, Currency::eur()),
                vat_bp: 2_100,
            }],
            purchase: None,
            contract: Some(k.id),
            category: "cleaning".into(),
            notes: String::new(),
        };
        let i = s.invoice_create(org.id, &inv(sparkle.id), Some(sofia.id), "Sofia", &by(&sofia, 10)).await.unwrap();
        assert_eq!((i.status, i.vendor_name.as_str()), (InvoiceStatus::Received, "Sparkle Cleaning BV"));
        assert_eq!(i.data.totals().map(|t| t.gross.minor), Some(508_200));
        assert_err!(
            s.invoice_create(org.id, &inv(theirs.id), None, "cli", &cli(11)).await,
            StoreError::Conflict(m) if m.contains("vendor")
        );
        assert_err!(s.invoice_get(other.id, i.id).await, StoreError::NotFound(_));
        // Paying before approval: refused.
        assert_err!(
            s.invoice_transition(org.id, i.id, &[InvoiceStatus::Approved], InvoiceStatus::Paid, "", Some(date(2026, 12, 20)), &by(&sofia, 12)).await,
            StoreError::Conflict(m) if m.contains("is received")
        );
        let ok = s
            .invoice_transition(org.id, i.id, &[InvoiceStatus::Received], InvoiceStatus::Approved, "matches the contract", None, &by(&lars, 20))
            .await
            .unwrap();
        assert_eq!((ok.status, ok.decided_by), (InvoiceStatus::Approved, Some(lars.id)));
        let paid = s
            .invoice_transition(org.id, i.id, &[InvoiceStatus::Approved], InvoiceStatus::Paid, "", Some(date(2026, 12, 20)), &by(&sofia, 30))
            .await
            .unwrap();
        assert_eq!((paid.status, paid.paid_on, paid.decided_by), (InvoiceStatus::Paid, Some(date(2026, 12, 20)), Some(lars.id)));
        // A contract with invoices cannot be deleted.
        assert_err!(
            s.contract_delete(org.id, k.id, &cli(40)).await,
            StoreError::Conflict(m) if m.contains("invoices")
        );
        assert_eq!(s.invoice_list(org.id).await.unwrap().len(), 1);
        let a = actions(s, org.id).await;
        for want in ["invoice.create", "invoice.approved", "invoice.paid"] {
            assert!(a.iter().any(|x| x == want), "{want} not in {a:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_budget_is_set_once_per_category_and_period() {
    use adjutant_core::office::budget::{BudgetData, Period};
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let sofia = add_person(s, org.id, "Sofia", None, Role::OfficeManager, 3).await;
        let q4 = Period::Quarter(2026, 4);
        let b = |amount: i64| BudgetData {
            category: "Catering".into(),
            period: q4,
            amount: Money::new(amount, Currency::eur()),
            notes: String::new(),
        };
        let first = s
            .budget_set(org.id, &b(1_400_000), &by(&sofia, 10))
            .await
            .unwrap();
        let again = s
            .budget_set(org.id, &b(1_500_000), &by(&sofia, 11))
            .await
            .unwrap();
        assert_eq!(first.id, again.id);
        assert_eq!(again.data.amount.minor, 1_500_000);
        s.budget_set(other.id, &b(1), &cli(12)).await.unwrap();
        assert_eq!(s.budget_list(org.id).await.unwrap().len(), 1);
        assert_err!(s.budget_get(other.id, first.id).await, StoreError::NotFound(_));
        s.budget_delete(org.id, first.id, &by(&sofia, 13)).await.unwrap();
        assert!(s.budget_list(org.id).await.unwrap().is_empty());
        let a = actions(s, org.id).await;
        assert_eq!(a.iter().filter(|x| *x == "budget.set").count(), 2);
        assert!(a.iter().any(|x| x == "budget.delete"));
    })
    .await;
}
