//! The demo organisation's vendors and contracts: about forty contracts across
//! two offices, the office cleaning contract's last day to give notice twelve
//! days away, a backup service's in five, a dinner contract ending, a printer
//! lease already given notice, a coffee contract whose deadline passed last
//! week (it renews regardless), one starting soon and one ended; and the stock
//! room, with coffee beans and black toner under their reorder points (so the
//! stock rule has drafted their purchase requests); boardroom chairs waiting
//! for the CEO's approval, sprint catering for the office manager's, and a
//! paper order half delivered; invoices with the cleaning contract billed to
//! 94% of its term's value, three waiting (one a likely duplicate) and one
//! overdue. Every
//! date is counted from the day the demo is seeded, so the dashboard always
//! has something coming.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::ops::office::{self, ContractInput, NoticeInput, VendorInput};
use crate::ops::stock::{self, MovementInput, StockInput};
use adjutant_core::calendar::Zone;
use adjutant_core::ids::OrgId;
use adjutant_core::office::stock::MovementKind;
use adjutant_core::office::vendor::VendorContact;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

/// (name, categories, contact name, contact e-mail, phone, role, website)
type VendorRow = (
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const VENDORS: &[VendorRow] = &[
    (
        "Sparkle Cleaning BV",
        &["cleaning"],
        "Anouk de Vries",
        "anouk@sparkle-cleaning.example",
        "+31 20 555 0101",
        "account manager",
        "https://sparkle-cleaning.example",
    ),
    (
        "Greenleaf Catering",
        &["catering"],
        "Joost Smit",
        "joost@greenleaf.example",
        "+31 20 555 0142",
        "sales",
        "https://greenleaf.example",
    ),
    (
        "Brightline IT Services",
        &["it"],
        "Fatima El Amrani",
        "fatima@brightline.example",
        "+31 20 555 0177",
        "service manager",
        "https://brightline.example",
    ),
    (
        "Copperfield Print",
        &["it", "office supplies"],
        "Pieter Kok",
        "pieter@copperfield.example",
        "+31 20 555 0190",
        "",
        "",
    ),
    (
        "Koffie & Co",
        &["catering"],
        "Lotte Mulder",
        "lotte@koffieenco.example",
        "+31 20 555 0123",
        "customer care",
        "",
    ),
    (
        "SecureGuard",
        &["security"],
        "Marco Visser",
        "marco@secureguard.example",
        "+31 20 555 0150",
        "",
        "",
    ),
    (
        "Canal Properties",
        &["facilities"],
        "Eva Hendriks",
        "eva@canalproperties.example",
        "+31 20 555 0111",
        "property manager",
        "",
    ),
    (
        "Hudson Realty",
        &["facilities"],
        "Michael Ortiz",
        "mortiz@hudsonrealty.example",
        "+1 212 555 0134",
        "leasing",
        "",
    ),
    (
        "CleanCity Waste",
        &["facilities"],
        "Sander Bos",
        "planning@cleancity.example",
        "+31 20 555 0166",
        "planning",
        "",
    ),
    (
        "Urban Jungle",
        &["facilities"],
        "Noor Jansen",
        "noor@urbanjungle.example",
        "",
        "",
        "",
    ),
    (
        "Delta Verzekeringen",
        &["insurance"],
        "Ruud de Boer",
        "ruud@delta-verz.example",
        "+31 20 555 0188",
        "broker",
        "",
    ),
    (
        "Atlas HR Software",
        &["software"],
        "Kim Lee",
        "kim@atlashr.example",
        "",
        "customer success",
        "",
    ),
    (
        "Nimbus Cloud",
        &["software", "it"],
        "Billing",
        "billing@nimbus.example",
        "",
        "",
        "",
    ),
    (
        "ParkRight",
        &["facilities"],
        "Daan Meijer",
        "daan@parkright.example",
        "+31 20 555 0199",
        "",
        "",
    ),
    (
        "Liftwerk",
        &["facilities"],
        "Service desk",
        "service@liftwerk.example",
        "+31 20 555 0105",
        "",
        "",
    ),
    (
        "Noord Telecom",
        &["it"],
        "Business desk",
        "zakelijk@noordtelecom.example",
        "+31 20 555 0100",
        "",
        "",
    ),
    (
        "Windstroom Energie",
        &["facilities"],
        "Zakelijk",
        "zakelijk@windstroom.example",
        "",
        "",
        "",
    ),
    (
        "Van Dijk Advocaten",
        &["legal"],
        "Mr. H. van Dijk",
        "h.vandijk@vandijk.example",
        "+31 20 555 0177",
        "partner",
        "",
    ),
    (
        "Kroon Accountants",
        &["finance"],
        "Sara Kroon",
        "sara@kroon.example",
        "",
        "partner",
        "",
    ),
    (
        "Empire Cleaners",
        &["cleaning"],
        "Lisa Park",
        "lisa@empirecleaners.example",
        "+1 212 555 0190",
        "",
        "",
    ),
    (
        "Bean There",
        &["catering"],
        "Owen Reid",
        "owen@beanthere.example",
        "",
        "",
        "",
    ),
    (
        "Swift Couriers",
        &["logistics"],
        "Dispatch",
        "dispatch@swift.example",
        "+31 20 555 0133",
        "",
        "",
    ),
    (
        "Vuurvast Brandveiligheid",
        &["facilities"],
        "Inspecties",
        "inspecties@vuurvast.example",
        "",
        "",
        "",
    ),
];

/// When a contract's next date falls, counted from today.
enum Due {
    /// The last day to give notice, in this many days (the contract began `terms` terms before).
    Deadline(i64, u32),
    /// It does not renew and ends in this many days.
    Ends(i64),
    /// Notice was given this many days ago; the deadline it met was this many days after.
    Given(i64, i64),
    /// It starts in this many days.
    Starts(i64),
    /// It ended this many days ago.
    Ended(i64),
}

struct Demo {
    vendor: &'static str,
    title: &'static str,
    category: &'static str,
    owner: &'static str,
    value: &'static str,
    currency: &'static str,
    per: &'static str,
    term: u32,
    notice_months: u32,
    due: Due,
}

/// One row of the table below, positional so the table reads as one.
#[allow(clippy::too_many_arguments)]
const fn k(
    vendor: &'static str,
    title: &'static str,
    category: &'static str,
    owner: &'static str,
    value: &'static str,
    currency: &'static str,
    per: &'static str,
    term: u32,
    notice_months: u32,
    due: Due,
) -> Demo {
    Demo {
        vendor,
        title,
        category,
        owner,
        value,
        currency,
        per,
        term,
        notice_months,
        due,
    }
}

const SOFIA: &str = "sofia@northwind.example";
const GRACE: &str = "grace@northwind.example";
const DANIEL: &str = "daniel@northwind.example";
const IRIS: &str = "iris@northwind.example";

const CONTRACTS: &[Demo] = &[
    k(
        "Sparkle Cleaning BV",
        "Office cleaning, Amsterdam",
        "cleaning",
        SOFIA,
        "4200.00",
        "EUR",
        "month",
        12,
        3,
        Due::Deadline(12, 2),
    ),
    k(
        "Sparkle Cleaning BV",
        "Window cleaning, Amsterdam",
        "cleaning",
        SOFIA,
        "650.00",
        "EUR",
        "quarter",
        12,
        1,
        Due::Deadline(140, 1),
    ),
    k(
        "Greenleaf Catering",
        "Staff lunch, Amsterdam",
        "catering",
        SOFIA,
        "9800.00",
        "EUR",
        "month",
        24,
        2,
        Due::Deadline(45, 1),
    ),
    k(
        "Greenleaf Catering",
        "Board dinners 2026",
        "catering",
        SOFIA,
        "12000.00",
        "EUR",
        "year",
        12,
        0,
        Due::Ends(20),
    ),
    k(
        "Brightline IT Services",
        "IT support and helpdesk",
        "it",
        IRIS,
        "7500.00",
        "EUR",
        "month",
        36,
        6,
        Due::Deadline(200, 0),
    ),
    k(
        "Brightline IT Services",
        "Managed backup",
        "it",
        IRIS,
        "1150.00",
        "EUR",
        "month",
        12,
        1,
        Due::Deadline(5, 1),
    ),
    k(
        "Brightline IT Services",
        "Laptop leasing (40 devices)",
        "it",
        IRIS,
        "2280.00",
        "EUR",
        "month",
        36,
        3,
        Due::Deadline(380, 0),
    ),
    k(
        "Copperfield Print",
        "Printer lease and toner service",
        "it",
        SOFIA,
        "890.00",
        "EUR",
        "month",
        24,
        3,
        Due::Given(20, 40),
    ),
    k(
        "Koffie & Co",
        "Coffee machines and beans",
        "catering",
        SOFIA,
        "310.50",
        "EUR",
        "month",
        12,
        2,
        Due::Deadline(-7, 1),
    ),
    k(
        "SecureGuard",
        "Reception and security, Amsterdam",
        "security",
        SOFIA,
        "5400.00",
        "EUR",
        "month",
        12,
        3,
        Due::Deadline(80, 1),
    ),
    k(
        "Canal Properties",
        "Office lease, Herengracht 12",
        "facilities",
        SOFIA,
        "38000.00",
        "EUR",
        "month",
        60,
        12,
        Due::Deadline(300, 0),
    ),
    k(
        "Hudson Realty",
        "Office lease, 5th floor, Broadway",
        "facilities",
        GRACE,
        "52000.00",
        "USD",
        "month",
        60,
        9,
        Due::Deadline(520, 0),
    ),
    k(
        "CleanCity Waste",
        "Waste and recycling collection",
        "facilities",
        SOFIA,
        "240.00",
        "EUR",
        "month",
        12,
        1,
        Due::Deadline(25, 2),
    ),
    k(
        "Urban Jungle",
        "Office plants and care",
        "facilities",
        SOFIA,
        "180.00",
        "EUR",
        "month",
        12,
        1,
        Due::Deadline(62, 1),
    ),
    k(
        "Delta Verzekeringen",
        "Office contents and liability insurance",
        "insurance",
        SOFIA,
        "18500.00",
        "EUR",
        "year",
        12,
        2,
        Due::Deadline(96, 3),
    ),
    k(
        "Atlas HR Software",
        "HR system subscription",
        "software",
        GRACE,
        "2400.00",
        "EUR",
        "quarter",
        12,
        1,
        Due::Deadline(33, 1),
    ),
    k(
        "Nimbus Cloud",
        "Cloud hosting",
        "software",
        IRIS,
        "4000.00",
        "USD",
        "month",
        12,
        1,
        Due::Deadline(150, 2),
    ),
    k(
        "ParkRight",
        "Parking permits, 12 places",
        "facilities",
        SOFIA,
        "2100.00",
        "EUR",
        "month",
        12,
        1,
        Due::Deadline(58, 1),
    ),
    k(
        "Liftwerk",
        "Lift maintenance",
        "facilities",
        SOFIA,
        "3600.00",
        "EUR",
        "year",
        36,
        3,
        Due::Deadline(240, 0),
    ),
    k(
        "Noord Telecom",
        "Mobile phones and data, 30 lines",
        "it",
        IRIS,
        "1450.00",
        "EUR",
        "month",
        24,
        1,
        Due::Deadline(118, 0),
    ),
    k(
        "Noord Telecom",
        "Office telephony (old switchboard)",
        "it",
        IRIS,
        "320.00",
        "EUR",
        "month",
        24,
        0,
        Due::Ended(60),
    ),
    k(
        "Windstroom Energie",
        "Green electricity, Amsterdam office",
        "facilities",
        SOFIA,
        "6200.00",
        "EUR",
        "month",
        36,
        2,
        Due::Deadline(410, 0),
    ),
    k(
        "Van Dijk Advocaten",
        "Legal retainer",
        "legal",
        GRACE,
        "3000.00",
        "EUR",
        "month",
        12,
        3,
        Due::Deadline(170, 1),
    ),
    k(
        "Kroon Accountants",
        "Annual audit and bookkeeping support",
        "finance",
        GRACE,
        "24000.00",
        "EUR",
        "year",
        12,
        3,
        Due::Deadline(71, 2),
    ),
    k(
        "Empire Cleaners",
        "Office cleaning, New York",
        "cleaning",
        DANIEL,
        "3900.00",
        "USD",
        "month",
        12,
        1,
        Due::Starts(21),
    ),
    k(
        "Bean There",
        "Coffee service, New York",
        "catering",
        DANIEL,
        "420.00",
        "USD",
        "month",
        12,
        1,
        Due::Deadline(88, 1),
    ),
    k(
        "Swift Couriers",
        "Courier account",
        "logistics",
        SOFIA,
        "450.00",
        "EUR",
        "month",
        12,
        1,
        Due::Deadline(130, 1),
    ),
    k(
        "Vuurvast Brandveiligheid",
        "Fire safety inspection and extinguishers",
        "facilities",
        SOFIA,
        "2800.00",
        "EUR",
        "year",
        24,
        3,
        Due::Deadline(190, 1),
    ),
    k(
        "Greenleaf Catering",
        "Event catering framework",
        "catering",
        SOFIA,
        "15000.00",
        "EUR",
        "year",
        24,
        3,
        Due::Deadline(260, 0),
    ),
    k(
        "SecureGuard",
        "Alarm monitoring",
        "security",
        SOFIA,
        "95.00",
        "EUR",
        "month",
        12,
        1,
        Due::Deadline(40, 2),
    ),
    k(
        "Copperfield Print",
        "Business cards and stationery",
        "office supplies",
        SOFIA,
        "1200.00",
        "EUR",
        "year",
        12,
        1,
        Due::Deadline(215, 1),
    ),
    k(
        "Atlas HR Software",
        "Payroll module",
        "software",
        GRACE,
        "900.00",
        "EUR",
        "quarter",
        12,
        1,
        Due::Deadline(33, 1),
    ),
    k(
        "Nimbus Cloud",
        "Backup storage",
        "software",
        IRIS,
        "600.00",
        "USD",
        "month",
        12,
        1,
        Due::Deadline(280, 0),
    ),
    k(
        "Hudson Realty",
        "Storage unit, Broadway basement",
        "facilities",
        DANIEL,
        "1500.00",
        "USD",
        "month",
        12,
        1,
        Due::Deadline(17, 1),
    ),
    k(
        "Canal Properties",
        "Service charges, Herengracht 12",
        "facilities",
        SOFIA,
        "2900.00",
        "EUR",
        "month",
        12,
        1,
        Due::Deadline(300, 4),
    ),
    k(
        "Urban Jungle",
        "Reception flowers",
        "facilities",
        SOFIA,
        "95.00",
        "EUR",
        "month",
        6,
        1,
        Due::Deadline(100, 3),
    ),
    k(
        "Brightline IT Services",
        "Security awareness training",
        "it",
        IRIS,
        "4800.00",
        "EUR",
        "year",
        12,
        0,
        Due::Ends(160),
    ),
    k(
        "Delta Verzekeringen",
        "Business travel insurance",
        "insurance",
        GRACE,
        "3200.00",
        "EUR",
        "year",
        12,
        1,
        Due::Deadline(150, 2),
    ),
];

/// The start date that puts a contract's deadline (or end) where `due` says.
fn start_for(d: &Demo, today: Date) -> Date {
    let term = i64::from(d.term);
    let notice = i64::from(d.notice_months);
    let back = |n: i64| today.checked_add(n.days()).unwrap_or(today);
    match d.due {
        // The renewal falls the notice period plus a day after the deadline;
        // the contract began the initial term (and `terms` renewals) before that.
        Due::Deadline(days, terms) => back(days)
            .checked_add(notice.months().days(1))
            .and_then(|r| r.checked_sub((term * (i64::from(terms) + 1)).months()))
            .unwrap_or(today),
        Due::Ends(days) => back(days + 1).checked_sub(term.months()).unwrap_or(today),
        Due::Given(_, days) => back(days)
            .checked_add(notice.months().days(1))
            .and_then(|r| r.checked_sub(term.months()))
            .unwrap_or(today),
        Due::Starts(days) => back(days),
        Due::Ended(days) => back(1 - days).checked_sub(term.months()).unwrap_or(today),
    }
}

/// (name, unit, category, location, vendor, price, on hand, reorder point, reorder quantity, taken this month)
type StockRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    i64,
    i64,
);

/// The Amsterdam stock room and the New York pantry. Coffee beans and black
/// toner end up under their reorder points after this month's use.
const STOCK: &[StockRow] = &[
    (
        "Coffee beans, espresso roast",
        "kg",
        "pantry",
        "Amsterdam, pantry cupboard",
        "Koffie & Co",
        "18.90",
        14,
        6,
        20,
        10,
    ),
    (
        "Printer toner, black",
        "cartridge",
        "printing",
        "Amsterdam, stock room shelf B",
        "Copperfield Print",
        "74.50",
        5,
        3,
        6,
        3,
    ),
    (
        "Printer toner, colour set",
        "set",
        "printing",
        "Amsterdam, stock room shelf B",
        "Copperfield Print",
        "212.00",
        3,
        1,
        2,
        0,
    ),
    (
        "Copy paper A4, 80 g",
        "box",
        "printing",
        "Amsterdam, stock room shelf A",
        "Copperfield Print",
        "24.95",
        22,
        8,
        20,
        6,
    ),
    (
        "Milk, oat",
        "carton",
        "pantry",
        "Amsterdam, pantry fridge",
        "Greenleaf Catering",
        "2.10",
        30,
        12,
        36,
        14,
    ),
    (
        "Tea, assorted",
        "box",
        "pantry",
        "Amsterdam, pantry cupboard",
        "Koffie & Co",
        "6.40",
        9,
        4,
        10,
        2,
    ),
    (
        "Sugar sticks",
        "pack",
        "pantry",
        "Amsterdam, pantry cupboard",
        "Koffie & Co",
        "3.20",
        6,
        2,
        6,
        1,
    ),
    (
        "Hand soap refill",
        "bottle",
        "cleaning",
        "Amsterdam, cleaning cupboard",
        "Sparkle Cleaning BV",
        "5.80",
        8,
        4,
        12,
        2,
    ),
    (
        "Paper towels",
        "pack",
        "cleaning",
        "Amsterdam, cleaning cupboard",
        "Sparkle Cleaning BV",
        "11.50",
        10,
        5,
        20,
        3,
    ),
    (
        "Dishwasher tablets",
        "box",
        "cleaning",
        "Amsterdam, pantry cupboard",
        "Sparkle Cleaning BV",
        "14.90",
        4,
        2,
        4,
        1,
    ),
    (
        "Notebooks, A5 branded",
        "piece",
        "stationery",
        "Amsterdam, stock room shelf C",
        "Copperfield Print",
        "4.75",
        60,
        20,
        100,
        12,
    ),
    (
        "Ballpoint pens, blue",
        "box",
        "stationery",
        "Amsterdam, stock room shelf C",
        "Copperfield Print",
        "8.90",
        7,
        3,
        10,
        2,
    ),
    (
        "Sticky notes",
        "pack",
        "stationery",
        "Amsterdam, stock room shelf C",
        "Copperfield Print",
        "6.30",
        12,
        4,
        12,
        3,
    ),
    (
        "Whiteboard markers",
        "set",
        "stationery",
        "Amsterdam, stock room shelf C",
        "Copperfield Print",
        "9.60",
        5,
        3,
        6,
        1,
    ),
    (
        "USB-C chargers, 65 W",
        "piece",
        "it",
        "Amsterdam, IT cabinet",
        "Brightline IT Services",
        "39.00",
        6,
        2,
        5,
        1,
    ),
    (
        "HDMI adapters",
        "piece",
        "it",
        "Amsterdam, IT cabinet",
        "Brightline IT Services",
        "19.50",
        4,
        2,
        4,
        0,
    ),
    (
        "First aid kit refills",
        "kit",
        "safety",
        "Amsterdam, reception",
        "Vuurvast Brandveiligheid",
        "27.00",
        3,
        1,
        2,
        0,
    ),
    (
        "Coffee pods",
        "box",
        "pantry",
        "New York, pantry",
        "Bean There",
        "32.00",
        12,
        5,
        12,
        4,
    ),
    (
        "Copy paper letter, 20 lb",
        "box",
        "printing",
        "New York, copy room",
        "",
        "",
        9,
        4,
        10,
        3,
    ),
];

/// A one-page PDF standing in for a signed contract.
const SIGNED_PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Seeds Northwind's vendors and contracts.
pub async fn seed(state: &AppState, org: OrgId) -> Result<(), ApiError> {
    let sys = Caller::System("demo".into());
    let ams = Zone::parse("time_zone", "Europe/Amsterdam").unwrap_or_else(|_| Zone::utc());
    let today = ams.local(Timestamp::now()).date();
    for (name, categories, contact, email, phone, role, website) in VENDORS {
        office::create_vendor(
            state,
            &sys,
            org,
            &VendorInput {
                name: (*name).into(),
                categories: categories.iter().map(|c| (*c).to_string()).collect(),
                contacts: vec![VendorContact {
                    name: (*contact).into(),
                    role: (*role).into(),
                    email: (*email).into(),
                    phone: (*phone).into(),
                }],
                website: Some((*website).into()),
                notes: None,
            },
        )
        .await?;
    }
    for d in CONTRACTS {
        let start = start_for(d, today);
        let k = office::create_contract(
            state,
            &sys,
            org,
            &ContractInput {
                title: d.title.into(),
                vendor: d.vendor.into(),
                reference: Some(format!("NW-{}-{:03}", start.year(), d.title.len() * 7 % 1000)),
                category: Some(d.category.into()),
                owner: Some(d.owner.into()),
                start: start.to_string(),
                term_months: d.term,
                auto_renew: !matches!(d.due, Due::Ends(_) | Due::Ended(_)),
                renewal_months: None,
                notice: if d.notice_months == 0 {
                    "30 days".into()
                } else {
                    format!("{} months", d.notice_months)
                },
                value: d.value.into(),
                currency: d.currency.into(),
                value_period: d.per.into(),
                alert_days: Some(30),
                notes: None,
            },
        )
        .await?;
        let id = k.id.parse().map_err(|_| ApiError::internal())?;
        if let Due::Given(ago, _) = d.due {
            office::give_notice(
                state,
                &sys,
                org,
                id,
                &NoticeInput {
                    on: Some(today.checked_sub(ago.days()).unwrap_or(today).to_string()),
                    note: Some("registered mail; confirmation received".into()),
                },
            )
            .await?;
        }
        if d.title == "Office cleaning, Amsterdam" {
            office::upload_document(state, &sys, org, id, "office-cleaning-signed.pdf", SIGNED_PDF).await?;
        }
    }
    seed_stock(state, &sys, org).await?;
    seed_purchases(state, org, today).await?;
    seed_invoices(state, org, today).await?;
    seed_budgets(state, org, today).await
}

/// This quarter's budgets per category; catering's is tight, so its forecast runs over.
async fn seed_budgets(state: &AppState, org: OrgId, today: Date) -> Result<(), ApiError> {
    use crate::ops::budgets::{self, BudgetInput};
    let sys = Caller::System("demo".into());
    let quarter = adjutant_core::office::budget::Period::quarter_of(today).to_string();
    for (category, amount) in [
        ("cleaning", "14000.00"),
        ("catering", "12500.00"),
        ("printing", "2500.00"),
        ("security", "17000.00"),
        ("furniture", "15000.00"),
        ("pantry", "1800.00"),
    ] {
        budgets::set_budget(
            state,
            &sys,
            org,
            &BudgetInput {
                category: category.into(),
                period: quarter.clone(),
                amount: amount.into(),
                currency: None,
                notes: None,
            },
        )
        .await?;
    }
    Ok(())
}

async fn seed_stock(state: &AppState, sys: &Caller, org: OrgId) -> Result<(), ApiError> {
    for (name, unit, category, location, vendor, price, on_hand, point, reorder, taken) in STOCK {
        let item = stock::create_stock(
            state,
            sys,
            org,
            &StockInput {
                name: (*name).into(),
                sku: None,
                unit: (*unit).into(),
                category: Some((*category).into()),
                location: Some((*location).into()),
                quantity: Some(*on_hand),
                reorder_point: *point,
                reorder_quantity: *reorder,
                preferred_vendor: Some((*vendor).into()),
                unit_price: Some((*price).into()),
                currency: Some(
                    if location.starts_with("New York") {
                        "USD"
                    } else {
                        "EUR"
                    }
                    .into(),
                ),
                notes: None,
            },
        )
        .await?;
        if *taken > 0 {
            let id = item.id.parse().map_err(|_| ApiError::internal())?;
            let input = MovementInput {
                quantity: *taken,
                note: Some("this month's use".into()),
            };
            // Falling to the reorder point drafts a purchase request, as it would for anyone.
            stock::move_stock(state, sys, org, id, MovementKind::Consume, &input).await?;
        }
    }
    Ok(())
}

/// One requested purchase: (requester e-mail, title, vendor, category, lines as
/// (description, quantity, unit price), needed in days, what happened next).
struct DemoPurchase {
    by: &'static str,
    title: &'static str,
    vendor: &'static str,
    category: &'static str,
    lines: &'static [(&'static str, i64, i64)],
    needed_in: i64,
    then: Then,
}

enum Then {
    /// Still waiting for approval.
    Waits,
    /// Approved by (e-mail) and received as (line, quantity) pairs.
    Approved(&'static str, &'static [(usize, i64)]),
}

const PURCHASES: &[DemoPurchase] = &[
    DemoPurchase {
        by: "sofia@northwind.example",
        title: "Boardroom chairs",
        vendor: "Copperfield Print",
        category: "furniture",
        lines: &[
            ("Meeting chair, black leather", 12, 95_000),
            ("Delivery and assembly", 1, 60_000),
        ],
        needed_in: 30,
        then: Then::Waits,
    },
    DemoPurchase {
        by: "tom@northwind.example",
        title: "Catering for the design sprint",
        vendor: "Greenleaf Catering",
        category: "catering",
        lines: &[("Lunch for 12, three days", 3, 26_000)],
        needed_in: 9,
        then: Then::Waits,
    },
    DemoPurchase {
        by: "sofia@northwind.example",
        title: "Copy paper and pens",
        vendor: "Copperfield Print",
        category: "printing",
        lines: &[
            ("Copy paper A4, 80 g", 20, 2_495),
            ("Ballpoint pens, blue", 10, 890),
        ],
        needed_in: 5,
        then: Then::Approved("lars@northwind.example", &[(0, 12)]),
    },
];

/// Northwind's purchases beyond the stock rule's drafts: a large one waiting
/// for Lars, a small one waiting for Sofia, one approved and partly received.
async fn seed_purchases(state: &AppState, org: OrgId, today: Date) -> Result<(), ApiError> {
    use adjutant_core::office::money::{Currency, Money};
    use adjutant_core::office::purchase::{Line, PurchaseData, Status};
    use adjutant_store::AuditCtx;
    let items = state.store.stock_list(org).await?;
    for d in PURCHASES {
        let by = state.store.person_by_email(org, d.by).await?;
        let vendor = state.store.vendor_by_name(org, d.vendor).await?;
        let ctx = AuditCtx {
            actor: Some(by.id),
            actor_label: by.name.clone(),
            on_behalf_of: None,
            now: Timestamp::now(),
        };
        let data = PurchaseData {
            title: d.title.into(),
            vendor: Some(vendor.id),
            category: d.category.into(),
            currency: Currency::eur(),
            lines: d
                .lines
                .iter()
                .map(|(what, n, price)| Line {
                    description: (*what).into(),
                    stock_item: items.iter().find(|i| i.data.name == *what).map(|i| i.id),
                    quantity: *n,
                    unit_price: Money::new(*price, Currency::eur()),
                    received: 0,
                })
                .collect(),
            needed_by: today.checked_add(d.needed_in.days()).ok(),
            notes: String::new(),
        };
        let p = state
            .store
            .purchase_create(org, &data, Status::Submitted, Some(by.id), &by.name, &ctx)
            .await?;
        if let Then::Approved(approver, delivery) = d.then {
            let who = state.store.person_by_email(org, approver).await?;
            let ctx = AuditCtx {
                actor: Some(who.id),
                actor_label: who.name.clone(),
                on_behalf_of: None,
                now: Timestamp::now(),
            };
            state
                .store
                .purchase_transition(
                    org,
                    p.id,
                    &[Status::Submitted],
                    Status::Ordered,
                    Some("as every quarter"),
                    &ctx,
                )
                .await?;
            let office = state
                .store
                .person_by_email(org, "sofia@northwind.example")
                .await?;
            let ctx = AuditCtx {
                actor: Some(office.id),
                actor_label: office.name.clone(),
                on_behalf_of: None,
                now: Timestamp::now(),
            };
            state
                .store
                .purchase_receive(org, p.id, delivery, "first delivery", &ctx)
                .await?;
        }
    }
    Ok(())
}

/// Acting as a demo person.
async fn as_person(
    state: &AppState,
    org: OrgId,
    email: &str,
) -> Result<(adjutant_store::AuditCtx, adjutant_core::ids::PersonId, String), ApiError> {
    let p = state.store.person_by_email(org, email).await?;
    Ok((
        adjutant_store::AuditCtx {
            actor: Some(p.id),
            actor_label: p.name.clone(),
            on_behalf_of: None,
            now: Timestamp::now(),
        },
        p.id,
        p.name,
    ))
}

/// Northwind's invoices: the Amsterdam cleaning contract billed to 94% of its
/// term's value with its notice deadline twelve days away; three invoices
/// waiting for approval, one of them a likely duplicate; the paper order's
/// invoice matching what arrived, approved and to pay; a security invoice
/// overdue.
async fn seed_invoices(state: &AppState, org: OrgId, today: Date) -> Result<(), ApiError> {
    use adjutant_core::office::invoice::{InvoiceData, InvoiceLine, InvoiceStatus};
    use adjutant_core::office::money::{Currency, Money};
    let (sofia, sofia_id, sofia_name) = as_person(state, org, "sofia@northwind.example").await?;
    let (lars, _, _) = as_person(state, org, "lars@northwind.example").await?;
    let contracts = state.store.contract_list(org, None).await?;
    let day = |n: i64| today.checked_add(n.days()).unwrap_or(today);
    let line = |what: &str, qty: i64, minor: i64, vat: u32| InvoiceLine {
        description: what.into(),
        quantity: qty,
        unit_price: Money::new(minor, Currency::eur()),
        vat_bp: vat,
    };
    struct Bill {
        vendor: &'static str,
        number: String,
        issued: Date,
        due: Date,
        lines: Vec<InvoiceLine>,
        contract: Option<&'static str>,
        purchase: Option<&'static str>,
        category: &'static str,
        /// 0: waiting; 1: approved; 2: paid.
        stage: u8,
    }
    let mut bills = Vec::new();
    // The cleaning contract: a monthly invoice for each month of the running term, and two extras.
    if let Some(k) = contracts
        .iter()
        .find(|k| k.data.title == "Office cleaning, Amsterdam")
    {
        let s = k.data.standing(today, None);
        if let Some(term) = s.term {
            let mut month = term.start;
            let mut n = 1;
            while month < today {
                let label = month.strftime("%B %Y").to_string();
                bills.push(Bill {
                    vendor: "Sparkle Cleaning BV",
                    number: format!("SC-{}-{n:03}", month.year()),
                    issued: month,
                    due: month.checked_add(30.days()).unwrap_or(month),
                    lines: vec![line(&format!("Office cleaning, {label}"), 1, 420_000, 2_100)],
                    contract: Some("Office cleaning, Amsterdam"),
                    purchase: None,
                    category: "cleaning",
                    stage: if month.checked_add(1.months()).unwrap_or(month) < today {
                        2
                    } else {
                        1
                    },
                });
                month = month.checked_add(1.months()).unwrap_or(today);
                n += 1;
            }
            // Extra work billed on top brings the term to 94% of its value.
            let value = k.data.value_for_months(k.data.term_months).map_or(0, |m| m.minor);
            let extra = value * 94 / 100 - 420_000 * (n - 1);
            if extra > 0 {
                bills.push(Bill {
                    vendor: "Sparkle Cleaning BV",
                    number: format!("SC-{}-X01", term.start.year()),
                    issued: term.start.checked_add(2.months()).unwrap_or(term.start),
                    due: term.start.checked_add(3.months()).unwrap_or(term.start),
                    lines: vec![line("Extra cleaning during the office move", 1, extra, 2_100)],
                    contract: Some("Office cleaning, Amsterdam"),
                    purchase: None,
                    category: "cleaning",
                    stage: 2,
                });
            }
        }
    }
    bills.push(Bill {
        vendor: "Greenleaf Catering",
        number: "GL-2026-1187".into(),
        issued: day(-3),
        due: day(11),
        lines: vec![line("Staff lunch, November", 1, 980_000, 900)],
        contract: Some("Staff lunch, Amsterdam"),
        purchase: None,
        category: "catering",
        stage: 0,
    });
    for number in ["KC-88231", "KC 88231"] {
        bills.push(Bill {
            vendor: "Koffie & Co",
            number: number.into(),
            issued: day(-5),
            due: day(9),
            lines: vec![line("Coffee machines and beans, November", 1, 31_050, 2_100)],
            contract: Some("Coffee machines and beans"),
            purchase: None,
            category: "catering",
            stage: 0,
        });
    }
    bills.push(Bill {
        vendor: "Copperfield Print",
        number: "CP-5512".into(),
        issued: day(-2),
        due: day(28),
        lines: vec![line("Copy paper A4, 80 g", 12, 2_495, 2_100)],
        contract: None,
        purchase: Some("Copy paper and pens"),
        category: "printing",
        stage: 1,
    });
    bills.push(Bill {
        vendor: "SecureGuard",
        number: "SG-40917".into(),
        issued: day(-33),
        due: day(-3),
        lines: vec![line("Reception and security, October", 1, 540_000, 2_100)],
        contract: Some("Reception and security, Amsterdam"),
        purchase: None,
        category: "security",
        stage: 1,
    });
    let purchases = state.store.purchase_list(org, &[]).await?;
    for b in bills {
        let vendor = state.store.vendor_by_name(org, b.vendor).await?;
        let data = InvoiceData {
            vendor: vendor.id,
            number: b.number,
            issued_on: b.issued,
            due_on: b.due,
            currency: Currency::eur(),
            lines: b.lines,
            purchase: b
                .purchase
                .and_then(|t| purchases.iter().find(|p| p.data.title == t))
                .map(|p| p.id),
            contract: b
                .contract
                .and_then(|t| contracts.iter().find(|k| k.data.title == t))
                .map(|k| k.id),
            category: b.category.into(),
            notes: String::new(),
        };
        let i = state
            .store
            .invoice_create(org, &data, Some(sofia_id), &sofia_name, &sofia)
            .await?;
        if b.stage >= 1 {
            state
                .store
                .invoice_transition(
                    org,
                    i.id,
                    &[InvoiceStatus::Received],
                    InvoiceStatus::Approved,
                    "",
                    None,
                    &lars,
                )
                .await?;
        }
        if b.stage >= 2 {
            state
                .store
                .invoice_transition(
                    org,
                    i.id,
                    &[InvoiceStatus::Approved],
                    InvoiceStatus::Paid,
                    "",
                    Some(b.due.min(today)),
                    &sofia,
                )
                .await?;
        }
    }
    Ok(())
}
