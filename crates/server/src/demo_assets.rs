//! Northwind's assets: a laptop for everyone, monitors and phones, the
//! boardroom projector, a camera checked out and three days overdue, software
//! licences (one expiring within three weeks), a printer whose maintenance is
//! due, a laptop whose warranty ends next month, a spare back broken and
//! waiting for repair, and one retired — each with its history, dated before
//! the week the demo is seeded in.

use crate::app::AppState;
use crate::error::ApiError;
use crate::ops::office::vendor_ref;
use adjutant_core::calendar::time::Zone;
use adjutant_core::ids::{OrgId, PersonId, VendorId};
use adjutant_core::office::asset::{Action, AssetData, AssetKind, Condition};
use adjutant_core::office::money::{Currency, Money};
use adjutant_store::AuditCtx;
use adjutant_store::assets::EventDetails;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use std::collections::HashMap;

/// What happens to a demo asset after it is registered.
enum Life {
    /// Stays on the shelf.
    Shelf,
    /// Assigned for good to this person (e-mail).
    Assigned(&'static str),
    /// Checked out `days_ago` to a person, expected back `back_in` days from today (negative: late).
    Out(&'static str, i64, i64),
    /// Was out with this person, came back broken `days_ago`.
    BackBroken(&'static str, i64),
    /// Retired `days_ago`.
    Retired(i64),
}

/// One demo asset.
struct Demo {
    tag: &'static str,
    kind: AssetKind,
    manufacturer: &'static str,
    model: &'static str,
    /// Bought this many days before today.
    age_days: i64,
    cost: &'static str,
    vendor: Option<&'static str>,
    /// Warranty (or licence, for software) this many days from today; none: none.
    ends_in: Option<i64>,
    maintenance_months: Option<u32>,
    location: &'static str,
    life: Life,
}

const BRIGHTLINE: Option<&str> = Some("Brightline IT Services");
const COPPERFIELD: Option<&str> = Some("Copperfield Print");

macro_rules! demo {
    ($tag:literal, $kind:ident, $man:literal, $model:literal, $age:expr, $cost:literal, $vendor:expr, $ends:expr, $maint:expr, $loc:literal, $life:expr) => {
        Demo {
            tag: $tag,
            kind: AssetKind::$kind,
            manufacturer: $man,
            model: $model,
            age_days: $age,
            cost: $cost,
            vendor: $vendor,
            ends_in: $ends,
            maintenance_months: $maint,
            location: $loc,
            life: $life,
        }
    };
}

const ASSETS: &[Demo] = &[
    demo!(
        "NW-LT-0001",
        Laptop,
        "Apple",
        "MacBook Pro 14 M3",
        400,
        "2499.00",
        BRIGHTLINE,
        Some(330),
        None,
        "Amsterdam",
        Life::Assigned("lars@northwind.example")
    ),
    demo!(
        "NW-LT-0002",
        Laptop,
        "Apple",
        "MacBook Air 13 M2",
        700,
        "1449.00",
        BRIGHTLINE,
        Some(26),
        None,
        "New York",
        Life::Assigned("grace@northwind.example")
    ),
    demo!(
        "NW-LT-0003",
        Laptop,
        "Lenovo",
        "ThinkPad X1 Carbon Gen 11",
        380,
        "1899.00",
        BRIGHTLINE,
        Some(350),
        None,
        "Amsterdam",
        Life::Assigned("maya@northwind.example")
    ),
    demo!(
        "NW-LT-0004",
        Laptop,
        "Lenovo",
        "ThinkPad X1 Carbon Gen 11",
        380,
        "1899.00",
        BRIGHTLINE,
        Some(350),
        None,
        "New York",
        Life::Assigned("daniel@northwind.example")
    ),
    demo!(
        "NW-LT-0005",
        Laptop,
        "Lenovo",
        "ThinkPad T14s Gen 4",
        300,
        "1399.00",
        BRIGHTLINE,
        Some(430),
        None,
        "Amsterdam",
        Life::Assigned("sofia@northwind.example")
    ),
    demo!(
        "NW-LT-0006",
        Laptop,
        "Apple",
        "MacBook Pro 16 M3 Max",
        250,
        "3999.00",
        BRIGHTLINE,
        Some(480),
        None,
        "Amsterdam",
        Life::Assigned("tom@northwind.example")
    ),
    demo!(
        "NW-LT-0007",
        Laptop,
        "Dell",
        "XPS 13 9340",
        200,
        "1599.00",
        BRIGHTLINE,
        Some(530),
        None,
        "New York",
        Life::Assigned("ana@northwind.example")
    ),
    demo!(
        "NW-LT-0008",
        Laptop,
        "Dell",
        "XPS 13 9340",
        200,
        "1599.00",
        BRIGHTLINE,
        Some(530),
        None,
        "New York",
        Life::Assigned("ben@northwind.example")
    ),
    demo!(
        "NW-LT-0009",
        Laptop,
        "Lenovo",
        "ThinkPad E14 Gen 5",
        150,
        "899.00",
        BRIGHTLINE,
        Some(580),
        None,
        "Kolkata (remote)",
        Life::Assigned("priya@northwind.example")
    ),
    demo!(
        "NW-LT-0010",
        Laptop,
        "Lenovo",
        "ThinkPad T14 Gen 4",
        320,
        "1299.00",
        BRIGHTLINE,
        Some(410),
        None,
        "Amsterdam",
        Life::Assigned("iris@northwind.example")
    ),
    demo!(
        "NW-LT-0011",
        Laptop,
        "Lenovo",
        "ThinkPad T14 Gen 4",
        320,
        "1299.00",
        BRIGHTLINE,
        Some(410),
        None,
        "Amsterdam, IT cupboard",
        Life::Shelf
    ),
    demo!(
        "NW-LT-0012",
        Laptop,
        "Dell",
        "Latitude 5440",
        500,
        "1099.00",
        BRIGHTLINE,
        Some(230),
        None,
        "Amsterdam, IT cupboard",
        Life::BackBroken("tom@northwind.example", 5)
    ),
    demo!(
        "NW-LT-0003-OLD",
        Laptop,
        "Lenovo",
        "ThinkPad T480",
        2100,
        "1249.00",
        None,
        None,
        None,
        "Amsterdam, IT cupboard",
        Life::Retired(60)
    ),
    demo!(
        "NW-MN-0001",
        Monitor,
        "Dell",
        "UltraSharp U2723QE",
        420,
        "629.00",
        BRIGHTLINE,
        Some(675),
        None,
        "Amsterdam, desk 3.04",
        Life::Assigned("lars@northwind.example")
    ),
    demo!(
        "NW-MN-0002",
        Monitor,
        "Dell",
        "UltraSharp U2723QE",
        420,
        "629.00",
        BRIGHTLINE,
        Some(675),
        None,
        "Amsterdam, desk 3.07",
        Life::Assigned("maya@northwind.example")
    ),
    demo!(
        "NW-MN-0003",
        Monitor,
        "Dell",
        "UltraSharp U2723QE",
        420,
        "629.00",
        BRIGHTLINE,
        Some(675),
        None,
        "Amsterdam, desk 2.11",
        Life::Assigned("tom@northwind.example")
    ),
    demo!(
        "NW-MN-0004",
        Monitor,
        "LG",
        "27UP850-W",
        260,
        "449.00",
        BRIGHTLINE,
        Some(470),
        None,
        "New York, desk 12",
        Life::Assigned("grace@northwind.example")
    ),
    demo!(
        "NW-MN-0005",
        Monitor,
        "LG",
        "27UP850-W",
        260,
        "449.00",
        BRIGHTLINE,
        Some(470),
        None,
        "New York, desk 14",
        Life::Assigned("ana@northwind.example")
    ),
    demo!(
        "NW-MN-0006",
        Monitor,
        "Dell",
        "P2423D",
        600,
        "289.00",
        BRIGHTLINE,
        Some(130),
        None,
        "Amsterdam, hot desks",
        Life::Shelf
    ),
    demo!(
        "NW-PH-0001",
        Phone,
        "Apple",
        "iPhone 15 Pro",
        330,
        "1229.00",
        BRIGHTLINE,
        Some(35),
        None,
        "Amsterdam",
        Life::Assigned("lars@northwind.example")
    ),
    demo!(
        "NW-PH-0002",
        Phone,
        "Apple",
        "iPhone 15",
        330,
        "969.00",
        BRIGHTLINE,
        Some(35),
        None,
        "New York",
        Life::Assigned("grace@northwind.example")
    ),
    demo!(
        "NW-PH-0003",
        Phone,
        "Samsung",
        "Galaxy S24",
        240,
        "899.00",
        BRIGHTLINE,
        Some(490),
        None,
        "Amsterdam",
        Life::Assigned("maya@northwind.example")
    ),
    demo!(
        "NW-PH-0004",
        Phone,
        "Samsung",
        "Galaxy S24",
        240,
        "899.00",
        BRIGHTLINE,
        Some(490),
        None,
        "New York",
        Life::Assigned("ben@northwind.example")
    ),
    demo!(
        "NW-AV-0001",
        Av,
        "Epson",
        "EB-L520U laser projector",
        540,
        "2349.00",
        BRIGHTLINE,
        Some(190),
        Some(12),
        "Amsterdam, boardroom",
        Life::Shelf
    ),
    demo!(
        "NW-AV-0002",
        Camera,
        "Sony",
        "ZV-E10 with 16-50 mm lens",
        280,
        "749.00",
        None,
        Some(450),
        None,
        "Amsterdam, AV cupboard",
        Life::Out("ben@northwind.example", 10, -3)
    ),
    demo!(
        "NW-AV-0003",
        Av,
        "Jabra",
        "PanaCast 50 video bar",
        180,
        "1190.00",
        BRIGHTLINE,
        Some(550),
        Some(12),
        "New York, meeting room Hudson",
        Life::Out("daniel@northwind.example", 2, 5)
    ),
    demo!(
        "NW-PR-0001",
        Printer,
        "HP",
        "Color LaserJet Pro M479fdw",
        900,
        "689.00",
        COPPERFIELD,
        None,
        Some(6),
        "Amsterdam, print corner",
        Life::Shelf
    ),
    demo!(
        "NW-SW-0001",
        Software,
        "Figma",
        "Professional, 3 seats",
        346,
        "1296.00",
        None,
        Some(19),
        None,
        "",
        Life::Assigned("tom@northwind.example")
    ),
    demo!(
        "NW-SW-0002",
        Software,
        "Adobe",
        "Creative Cloud All Apps",
        200,
        "899.88",
        None,
        Some(165),
        None,
        "",
        Life::Assigned("tom@northwind.example")
    ),
    demo!(
        "NW-SW-0003",
        Software,
        "Microsoft",
        "365 Business Standard, 12 seats",
        100,
        "1814.40",
        BRIGHTLINE,
        Some(265),
        None,
        "",
        Life::Shelf
    ),
    demo!(
        "NW-SW-0004",
        Software,
        "JetBrains",
        "All Products Pack",
        300,
        "779.00",
        None,
        Some(65),
        None,
        "",
        Life::Assigned("iris@northwind.example")
    ),
    demo!(
        "NW-VH-0001",
        Vehicle,
        "Volkswagen",
        "ID.3 Pro (NL-123-X)",
        820,
        "38990.00",
        None,
        Some(275),
        Some(12),
        "Amsterdam, garage P2",
        Life::Shelf
    ),
];

/// 09:30 in Amsterdam on `d`: when the demo's past changes happened.
fn at(d: Date, ams: &Zone) -> Timestamp {
    d.at(9, 30, 0, 0)
        .to_zoned(ams.tz().clone())
        .map(|z| z.timestamp())
        .unwrap_or_else(|_| Timestamp::now())
}

/// Seeds Northwind's assets with their history.
pub async fn seed(state: &AppState, org: OrgId, ids: &HashMap<&str, String>) -> Result<(), ApiError> {
    let ams = Zone::parse("time_zone", "Europe/Amsterdam").unwrap_or_else(|_| Zone::utc());
    let today = ams.local(Timestamp::now()).date();
    let day = |n: i64| today.checked_add(n.days()).unwrap_or(today);
    let ctx = |d: Date| AuditCtx::system("demo", at(d, &ams));
    let person = |email: &str| -> Result<PersonId, ApiError> {
        ids.get(email)
            .and_then(|s| s.parse().ok())
            .ok_or_else(ApiError::internal)
    };
    let mut vendors: HashMap<&str, VendorId> = HashMap::new();
    for v in [BRIGHTLINE, COPPERFIELD].into_iter().flatten() {
        vendors.insert(v, vendor_ref(state, org, "vendor", v).await?.id);
    }
    let eur = Currency::eur();
    for d in ASSETS {
        let bought = day(-d.age_days);
        let ends = d.ends_in.map(day);
        let software = d.kind == AssetKind::Software;
        let data = AssetData {
            tag: d.tag.into(),
            kind: d.kind,
            model: d.model.into(),
            manufacturer: d.manufacturer.into(),
            serial: if software {
                String::new()
            } else {
                format!(
                    "{}{:06}",
                    &d.manufacturer[..2].to_uppercase(),
                    d.age_days * 7919 % 1_000_000
                )
            },
            purchased: Some(bought),
            cost: Money::parse(d.cost, eur).ok(),
            vendor: d.vendor.and_then(|v| vendors.get(v).copied()),
            warranty_end: if software { None } else { ends },
            licence_expiry: if software { ends } else { None },
            maintenance_months: d.maintenance_months,
            location: d.location.into(),
            notes: String::new(),
        };
        data.validate()?;
        let a = state.store.asset_create(org, &data, &ctx(bought)).await?;
        let note = |s: &str| EventDetails {
            note: s.into(),
            cost: None,
        };
        let act = |action: Action, on: Date, details: EventDetails| {
            let c = ctx(on);
            let id = a.id;
            async move { state.store.asset_act(org, id, &action, on, &details, &c).await }
        };
        match d.life {
            Life::Shelf => {}
            Life::Assigned(email) => {
                let on = day(-d.age_days + 3);
                act(
                    Action::Assign {
                        to: person(email)?,
                        expected_return: None,
                    },
                    on,
                    note(if software {
                        "seat assigned"
                    } else {
                        "set up and handed over"
                    }),
                )
                .await?;
            }
            Life::Out(email, ago, back_in) => {
                let on = day(-ago);
                act(
                    Action::Assign {
                        to: person(email)?,
                        expected_return: Some(day(back_in)),
                    },
                    on,
                    note("for the customer video shoot"),
                )
                .await?;
            }
            Life::BackBroken(email, ago) => {
                let out = day(-ago - 21);
                act(
                    Action::Assign {
                        to: person(email)?,
                        expected_return: Some(day(-ago)),
                    },
                    out,
                    note("loan while his laptop was repaired"),
                )
                .await?;
                act(
                    Action::CheckIn {
                        condition: Condition::Broken,
                    },
                    day(-ago),
                    note("screen cracked; quote requested from Brightline"),
                )
                .await?;
            }
            Life::Retired(ago) => {
                act(
                    Action::Maintain { on: day(-ago - 400) },
                    day(-ago - 400),
                    EventDetails {
                        note: "battery replaced".into(),
                        cost: Money::parse("119.00", eur).ok(),
                    },
                )
                .await?;
                act(
                    Action::Retire,
                    day(-ago),
                    note("end of life; data wiped, sent for recycling"),
                )
                .await?;
            }
        }
        // The printer was last serviced six months and five days ago: due now.
        if d.kind == AssetKind::Printer {
            let on = day(-188);
            act(
                Action::Maintain { on },
                on,
                EventDetails {
                    note: "fuser replaced, rollers cleaned".into(),
                    cost: Money::parse("145.00", eur).ok(),
                },
            )
            .await?;
        }
        if d.kind == AssetKind::Vehicle {
            let on = day(-100);
            act(
                Action::Maintain { on },
                on,
                EventDetails {
                    note: "yearly service and tyre change".into(),
                    cost: Money::parse("412.50", eur).ok(),
                },
            )
            .await?;
        }
        if d.tag == "NW-AV-0001" {
            let on = day(-190);
            act(
                Action::Maintain { on },
                on,
                EventDetails {
                    note: "filter cleaned, firmware updated".into(),
                    cost: Money::parse("0.00", eur).ok(),
                },
            )
            .await?;
        }
    }
    Ok(())
}
