//! The office side: money, vendors and their contracts, supplies.

pub mod contract;
pub mod money;
pub mod stock;
pub mod vendor;
