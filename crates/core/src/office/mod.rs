//! The office side: money, vendors and their contracts, supplies, purchasing, invoices, budgets,
//! spaces, assets, expenses.

pub mod asset;
pub mod budget;
pub mod contract;
pub mod expense;
pub mod invoice;
pub mod money;
pub mod purchase;
pub mod space;
pub mod stock;
pub mod vendor;
