//! Expense stories: filing with a receipt, a report's life with its status
//! checked inside the transaction (two approvals at once: one wins), frozen
//! expenses once submitted, the policy, and organisation scoping.

use super::*;
use adjutant_core::ids::ExpenseId;
use adjutant_core::office::expense::{ExpenseData, PolicyRule, ReportAction, ReportStatus};
use adjutant_core::office::money::{Currency, Money};
use adjutant_store::expenses::NewReceipt;
use jiff::civil::date;

fn spend(merchant: &str, minor: i64) -> ExpenseData {
    ExpenseData {
        date: date(2025, 6, 10),
        merchant: merchant.into(),
        category: "meals".into(),
        amount: Money::new(minor, Currency::eur()),
        project: "Rotterdam".into(),
        description: String::new(),
    }
}

const PDF: &[u8] = b"%PDF-1.4\n% receipt\n";

fn receipt() -> NewReceipt<'static> {
    NewReceipt {
        filename: "dinner.pdf",
        content_type: "application/pdf",
        sha256: "00",
        bytes: PDF,
    }
}

#[tokio::test]
async fn expenses_reports_and_the_policy() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let tom = add_person(s, org.id, "Tom", None, Role::Staff, 3).await;
        let sofia = add_person(s, org.id, "Sofia", None, Role::OfficeManager, 4).await;
        let lars = add_person(s, org.id, "Lars", None, Role::Principal, 5).await;
        let stranger = add_person(s, other.id, "Stranger", None, Role::Staff, 6).await;

        // Filed with its receipt in one go; the receipt reads back byte for byte.
        let dinner = s
            .expense_create(
                org.id,
                tom.id,
                &spend("De Jong", 8_450),
                Some(&receipt()),
                None,
                &by(&tom, 10),
            )
            .await
            .unwrap();
        assert_eq!(dinner.data.amount, Money::new(8_450, Currency::eur()));
        assert_eq!(dinner.receipt.as_ref().map(|r| r.size), Some(PDF.len() as i64));
        let (rec, bytes) = s.receipt_get(org.id, dinner.id).await.unwrap();
        assert_eq!((rec.filename.as_str(), bytes.as_slice()), ("dinner.pdf", PDF));
        let lunch = s
            .expense_create(
                org.id,
                tom.id,
                &spend("Broodje", 1_250),
                None,
                None,
                &by(&tom, 11),
            )
            .await
            .unwrap();
        assert!(lunch.receipt.is_none() && lunch.editable());

        // Another organisation cannot see, file into or touch them.
        assert_err!(s.expense_get(other.id, dinner.id).await, StoreError::NotFound(_));
        assert_err!(s.receipt_get(other.id, dinner.id).await, StoreError::NotFound(_));
        assert_err!(
            s.expense_create(other.id, tom.id, &spend("X", 100), None, None, &by(&stranger, 12)).await,
            StoreError::Conflict(m) if m.contains("not of this organisation")
        );
        assert_err!(
            s.report_create(other.id, stranger.id, "Mine", &[dinner.id], &by(&stranger, 12))
                .await,
            StoreError::Invalid(_)
        );
        assert_eq!(s.report_list(other.id, None, &[]).await.unwrap().len(), 0);

        // A report of Tom's expenses, numbered; someone else's expense is refused, nothing made.
        let lars_taxi = s
            .expense_create(org.id, lars.id, &spend("Taxi", 3_000), None, None, &by(&lars, 13))
            .await
            .unwrap();
        assert_err!(
            s.report_create(org.id, tom.id, "Rotterdam", &[dinner.id, lars_taxi.id], &by(&tom, 14)).await,
            StoreError::Invalid(v) if v.errors[0].field == "expenses[1]"
        );
        assert_eq!(s.report_list(org.id, None, &[]).await.unwrap().len(), 0);
        assert!(s.expense_get(org.id, dinner.id).await.unwrap().report.is_none());
        let report = s
            .report_create(org.id, tom.id, "Rotterdam", &[dinner.id], &by(&tom, 15))
            .await
            .unwrap();
        assert_eq!(report.number, "EXP-2025-0001");
        assert_eq!((report.status, report.expense_count), (ReportStatus::Draft, 1));
        let report = s
            .report_assign(org.id, report.id, &[lunch.id], &[], &by(&tom, 16))
            .await
            .unwrap();
        assert_eq!(report.expense_count, 2);
        let report = s
            .report_assign(org.id, report.id, &[], &[lunch.id], &by(&tom, 17))
            .await
            .unwrap();
        assert_eq!(report.expense_count, 1);

        // Not yet approved: cannot be reimbursed; nothing changes.
        assert_err!(
            s.report_transition(org.id, report.id, ReportAction::Reimburse, "", &by(&sofia, 18)).await,
            StoreError::Conflict(m) if m.contains("only approved reports can")
        );
        let r = s
            .report_transition(org.id, report.id, ReportAction::Submit, "", &by(&tom, 19))
            .await
            .unwrap();
        assert_eq!(r.status, ReportStatus::Submitted);
        assert_eq!(r.submitted_label, "Tom");

        // Submitted: its expenses are frozen.
        let mut changed = spend("De Jong", 100);
        changed.category = "taxi".into();
        assert_err!(
            s.expense_update(org.id, dinner.id, &changed, &by(&tom, 20)).await,
            StoreError::Conflict(m) if m.contains("can no longer change")
        );
        assert_err!(
            s.expense_delete(org.id, dinner.id, &by(&tom, 20)).await,
            StoreError::Conflict(_)
        );
        assert_err!(
            s.expense_set_receipt(org.id, dinner.id, &receipt(), &by(&tom, 20))
                .await,
            StoreError::Conflict(_)
        );
        assert_err!(
            s.report_assign(org.id, report.id, &[lunch.id], &[], &by(&tom, 20))
                .await,
            StoreError::Conflict(_)
        );
        assert_eq!(
            s.expense_get(org.id, dinner.id).await.unwrap().data,
            spend("De Jong", 8_450)
        );

        // Two approvers at once: exactly one wins, the other is told it is no longer waiting.
        let (sofia_at, lars_at) = (by(&sofia, 21), by(&lars, 21));
        let (a, b) = tokio::join!(
            s.report_transition(org.id, report.id, ReportAction::Approve, "ok", &sofia_at),
            s.report_transition(org.id, report.id, ReportAction::Reject, "no", &lars_at),
        );
        assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{a:?} {b:?}");
        let loser = if a.is_ok() { b } else { a };
        assert_err!(loser, StoreError::Conflict(m) if m.contains("not waiting for approval"));
        let r = s.report_get(org.id, report.id).await.unwrap();
        if r.status == ReportStatus::Rejected {
            // A rejected report is fixed and submitted again, then approved.
            assert_eq!(r.decision_note, "no");
            s.expense_update(org.id, dinner.id, &spend("De Jong", 8_000), &by(&tom, 22))
                .await
                .unwrap();
            s.report_transition(org.id, report.id, ReportAction::Submit, "", &by(&tom, 23))
                .await
                .unwrap();
            s.report_transition(org.id, report.id, ReportAction::Approve, "ok", &by(&sofia, 24))
                .await
                .unwrap();
        }
        let r = s
            .report_transition(org.id, report.id, ReportAction::Reimburse, "", &by(&sofia, 25))
            .await
            .unwrap();
        assert_eq!(r.status, ReportStatus::Reimbursed);
        assert_eq!(
            (r.decided_label.as_str(), r.reimbursed_label.as_str()),
            ("Sofia", "Sofia")
        );
        assert_err!(
            s.report_transition(org.id, report.id, ReportAction::Submit, "", &by(&tom, 26))
                .await,
            StoreError::Conflict(_)
        );

        // An empty report cannot be submitted.
        let empty = s
            .report_create(org.id, tom.id, "Nothing", &[], &by(&tom, 27))
            .await
            .unwrap();
        assert_err!(
            s.report_transition(org.id, empty.id, ReportAction::Submit, "", &by(&tom, 28)).await,
            StoreError::Invalid(v) if v.errors[0].field == "expenses"
        );
        assert_eq!(
            s.report_get(org.id, empty.id).await.unwrap().status,
            ReportStatus::Draft
        );

        // Loose expenses change freely; the receipt is replaced, then the expense deleted with it.
        let lunch = s
            .expense_set_receipt(org.id, lunch.id, &receipt(), &by(&tom, 29))
            .await
            .unwrap();
        assert!(lunch.receipt.is_some());
        s.expense_delete(org.id, lunch.id, &by(&tom, 30)).await.unwrap();
        assert_err!(s.receipt_get(org.id, lunch.id).await, StoreError::NotFound(_));
        let mine: Vec<ExpenseId> = s
            .expense_list(org.id, Some(tom.id), None)
            .await
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(mine, [dinner.id]);

        // The policy: set, replaced, listed with the default last, removed.
        let eur = Currency::eur();
        let rule = |c: &str, limit: Option<i64>| PolicyRule {
            category: c.into(),
            currency: eur,
            limit: limit.map(|m| Money::new(m, eur)),
            receipt_above: Some(Money::new(2_500, eur)),
        };
        s.expense_policy_set(org.id, &rule("default", None), &by(&sofia, 31))
            .await
            .unwrap();
        s.expense_policy_set(org.id, &rule("meals", Some(5_000)), &by(&sofia, 32))
            .await
            .unwrap();
        s.expense_policy_set(org.id, &rule("meals", Some(6_000)), &by(&sofia, 33))
            .await
            .unwrap();
        let policy = s.expense_policy(org.id).await.unwrap();
        assert_eq!(policy, vec![rule("meals", Some(6_000)), rule("default", None)]);
        assert!(s.expense_policy(other.id).await.unwrap().is_empty());
        s.expense_policy_delete(org.id, "meals", eur, &by(&sofia, 34))
            .await
            .unwrap();
        assert_err!(
            s.expense_policy_delete(org.id, "meals", eur, &by(&sofia, 35))
                .await,
            StoreError::NotFound(_)
        );

        // Every change is audited, with who acted.
        let audit = s
            .audit_list(
                org.id,
                &AuditFilter {
                    action_prefix: Some("expense".into()),
                    ..AuditFilter::default()
                },
            )
            .await
            .unwrap();
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        for a in [
            "expense.create",
            "expense.receipt",
            "expense.delete",
            "expense_report.create",
            "expense_report.assign",
            "expense_report.submit",
            "expense_report.reimburse",
            "expense_policy.set",
            "expense_policy.delete",
        ] {
            assert!(actions.contains(&a), "{a} missing from {actions:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn an_assistant_files_for_the_principal_and_the_audit_names_both() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let lars = add_person(s, org.id, "Lars", None, Role::Principal, 2).await;
        let maya = add_person(s, org.id, "Maya", None, Role::Assistant, 3).await;
        let mut ctx = by(&maya, 10);
        ctx.on_behalf_of = Some(lars.id);
        let e = s
            .expense_create(
                org.id,
                lars.id,
                &spend("Eurostar", 31_800),
                Some(&receipt()),
                None,
                &ctx,
            )
            .await
            .unwrap();
        assert_eq!(
            (e.person, e.created_by, e.created_label.as_str()),
            (lars.id, Some(maya.id), "Maya")
        );
        let audit = s
            .audit_list(
                org.id,
                &AuditFilter {
                    action_prefix: Some("expense.create".into()),
                    ..AuditFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(
            (audit[0].actor, audit[0].on_behalf_of),
            (Some(maya.id), Some(lars.id))
        );
    })
    .await;
}
