//! Northwind's expenses: a policy in euros, dollars and rupees; a report from
//! Amsterdam waiting for approval with a meal over the limit, one Maya filed
//! for Lars under her delegation, a New York report approved and reimbursed,
//! a Kolkata draft that cannot be submitted until a taxi receipt is attached,
//! and a lunch filed twice. Every receipt is a small real PDF made here.

use crate::app::AppState;
use crate::error::ApiError;
use adjutant_core::ids::{ExpenseId, OrgId, PersonId};
use adjutant_core::office::expense::{ExpenseData, PolicyRule, ReportAction};
use adjutant_core::office::money::{Currency, Money};
use adjutant_store::AuditCtx;
use adjutant_store::expenses::NewReceipt;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use sha2::Digest;

/// (category, currency, limit, receipt required above), amounts in minor units.
const POLICY: &[(&str, &str, Option<i64>, Option<i64>)] = &[
    ("meals", "EUR", Some(6_000), Some(2_500)),
    ("taxi", "EUR", Some(8_000), Some(2_500)),
    ("travel", "EUR", Some(150_000), Some(0)),
    ("hotel", "EUR", Some(25_000), Some(0)),
    ("default", "EUR", None, Some(2_500)),
    ("meals", "USD", Some(7_500), Some(3_000)),
    ("taxi", "USD", Some(10_000), Some(3_000)),
    ("travel", "USD", Some(160_000), Some(0)),
    ("hotel", "USD", Some(35_000), Some(0)),
    ("default", "USD", None, Some(3_000)),
    ("meals", "INR", Some(300_000), Some(150_000)),
    ("taxi", "INR", Some(250_000), Some(100_000)),
    ("travel", "INR", Some(4_000_000), Some(0)),
    ("default", "INR", None, Some(150_000)),
];

/// One demo expense: days ago, merchant, category, amount (minor units),
/// currency, project, whether a receipt was kept.
type Spend = (
    i64,
    &'static str,
    &'static str,
    i64,
    &'static str,
    &'static str,
    bool,
);

/// What becomes of a demo report.
enum Then {
    Draft,
    Submitted,
    Reimbursed { approver: &'static str },
}

struct DemoReport {
    /// Whose expenses.
    person: &'static str,
    /// Who filed them (an assistant under delegation, or the person).
    filer: &'static str,
    title: &'static str,
    spends: &'static [Spend],
    then: Then,
}

const REPORTS: &[DemoReport] = &[
    DemoReport {
        person: "tom@northwind.example",
        filer: "tom@northwind.example",
        title: "Client workshop in Rotterdam",
        spends: &[
            (
                9,
                "NS International",
                "travel",
                4_260,
                "EUR",
                "Havenbedrijf redesign",
                true,
            ),
            (
                9,
                "Restaurant De Jong",
                "meals",
                8_450,
                "EUR",
                "Havenbedrijf redesign",
                true,
            ),
            (8, "RET Taxi", "taxi", 3_100, "EUR", "Havenbedrijf redesign", true),
        ],
        then: Then::Submitted,
    },
    DemoReport {
        person: "lars@northwind.example",
        filer: "maya@northwind.example",
        title: "London investor meetings",
        spends: &[
            (6, "Eurostar", "travel", 31_800, "EUR", "Series B", true),
            (5, "The Hoxton, Holborn", "hotel", 23_900, "EUR", "Series B", true),
            (5, "Dishoom King's Cross", "meals", 5_640, "EUR", "Series B", true),
        ],
        then: Then::Submitted,
    },
    DemoReport {
        person: "ben@northwind.example",
        filer: "ben@northwind.example",
        title: "Boston sales visit",
        spends: &[
            (24, "Amtrak", "travel", 15_600, "USD", "Harbor Health deal", true),
            (
                23,
                "Omni Parker House",
                "hotel",
                28_900,
                "USD",
                "Harbor Health deal",
                true,
            ),
            (
                23,
                "Legal Sea Foods",
                "meals",
                4_820,
                "USD",
                "Harbor Health deal",
                true,
            ),
        ],
        then: Then::Reimbursed {
            approver: "grace@northwind.example",
        },
    },
    DemoReport {
        person: "arjun@northwind.example",
        filer: "arjun@northwind.example",
        title: "Customer visit in Bengaluru",
        spends: &[
            (4, "IndiGo", "travel", 845_000, "INR", "Infosys rollout", true),
            (3, "Uber India", "taxi", 120_000, "INR", "Infosys rollout", false),
            (3, "MTR Lalbagh", "meals", 85_000, "INR", "Infosys rollout", false),
        ],
        then: Then::Draft,
    },
];

/// Expenses not yet in a report: a lunch filed twice in New York.
const LOOSE: &[(&str, Spend)] = &[
    (
        "ana@northwind.example",
        (2, "Sweetgreen", "meals", 1_845, "USD", "", true),
    ),
    (
        "ana@northwind.example",
        (2, "Sweetgreen", "meals", 1_845, "USD", "", true),
    ),
    (
        "tom@northwind.example",
        (1, "Albert Heijn", "office", 1_299, "EUR", "", false),
    ),
];

/// A one-page PDF with the receipt's lines, offsets computed so readers accept it.
pub fn receipt_pdf(lines: &[String]) -> Vec<u8> {
    let mut text = String::from("BT /F1 11 Tf 40 200 Td 14 TL");
    for l in lines {
        let safe: String = l
            .chars()
            .map(|c| {
                if c.is_ascii() && !matches!(c, '(' | ')' | '\\') {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        text.push_str(&format!(" ({safe}) Tj T*"));
    }
    text.push_str(" ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 240] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

async fn ctx_of(state: &AppState, org: OrgId, email: &str) -> Result<(AuditCtx, PersonId), ApiError> {
    let p = state.store.person_by_email(org, email).await?;
    Ok((
        AuditCtx {
            actor: Some(p.id),
            actor_label: p.name.clone(),
            on_behalf_of: None,
            now: Timestamp::now(),
        },
        p.id,
    ))
}

fn money(minor: i64, code: &str) -> Result<Money, ApiError> {
    Currency::parse(code)
        .map(|c| Money::new(minor, c))
        .map_err(|m| ApiError::from(adjutant_core::ValidationError::field("currency", m)))
}

async fn file(
    state: &AppState,
    org: OrgId,
    person: PersonId,
    ctx: &AuditCtx,
    today: Date,
    s: &Spend,
) -> Result<ExpenseId, ApiError> {
    let (ago, merchant, category, minor, code, project, receipt) = *s;
    let data = ExpenseData {
        date: today.checked_sub(ago.days()).unwrap_or(today),
        merchant: merchant.into(),
        category: category.into(),
        amount: money(minor, code)?,
        project: project.into(),
        description: String::new(),
    };
    let bytes = receipt_pdf(&[
        merchant.to_string(),
        data.date.to_string(),
        format!("Total {}", data.amount),
        "Thank you".to_string(),
    ]);
    let sha = data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(&bytes));
    let name = format!(
        "{}-{}.pdf",
        merchant.to_lowercase().replace([' ', ',', '\''], "-"),
        data.date
    );
    let new = NewReceipt {
        filename: &name,
        content_type: "application/pdf",
        sha256: &sha,
        bytes: &bytes,
    };
    let e = state
        .store
        .expense_create(org, person, &data, receipt.then_some(&new), None, ctx)
        .await?;
    Ok(e.id)
}

/// Seeds the expenses; called after the office demo.
pub async fn seed(state: &AppState, org: OrgId) -> Result<(), ApiError> {
    let (office, _) = ctx_of(state, org, "sofia@northwind.example").await?;
    for (category, code, limit, above) in POLICY {
        let currency = money(0, code)?.currency;
        let rule = PolicyRule {
            category: (*category).into(),
            currency,
            limit: limit.map(|m| Money::new(m, currency)),
            receipt_above: above.map(|m| Money::new(m, currency)),
        };
        state.store.expense_policy_set(org, &rule, &office).await?;
    }
    let ams = adjutant_core::calendar::Zone::parse("time_zone", "Europe/Amsterdam")
        .unwrap_or_else(|_| adjutant_core::calendar::Zone::utc());
    let today = ams.local(Timestamp::now()).date();
    for r in REPORTS {
        let (_, person) = ctx_of(state, org, r.person).await?;
        let (mut ctx, _) = ctx_of(state, org, r.filer).await?;
        if r.filer != r.person {
            ctx.on_behalf_of = Some(person);
        }
        let mut ids = Vec::new();
        for s in r.spends {
            ids.push(file(state, org, person, &ctx, today, s).await?);
        }
        let rep = state
            .store
            .report_create(org, person, r.title, &ids, &ctx)
            .await?;
        if matches!(r.then, Then::Draft) {
            continue;
        }
        state
            .store
            .report_transition(org, rep.id, ReportAction::Submit, "", &ctx)
            .await?;
        if let Then::Reimbursed { approver } = r.then {
            let (who, _) = ctx_of(state, org, approver).await?;
            state
                .store
                .report_transition(org, rep.id, ReportAction::Approve, "Thanks, Ben.", &who)
                .await?;
            state
                .store
                .report_transition(org, rep.id, ReportAction::Reimburse, "", &office)
                .await?;
        }
    }
    for (email, s) in LOOSE {
        let (ctx, person) = ctx_of(state, org, email).await?;
        file(state, org, person, &ctx, today, s).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_receipts_are_pdfs_the_receipt_check_accepts() {
        let pdf = receipt_pdf(&["Café (Noord)".into(), "Total EUR 12.50".into()]);
        let kind = adjutant_core::office::expense::check_receipt("r.pdf", &pdf);
        assert_eq!(kind.map(|k| k.content_type).ok(), Some("application/pdf"));
        let text = String::from_utf8_lossy(&pdf);
        let xref: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(text[xref..].starts_with("xref"), "startxref points at the table");
        assert!(text.contains("(Caf? ?Noord?) Tj"));
    }
}
