//! The office side: money, vendors and their contracts, supplies, purchasing.

pub mod contract;
pub mod money;
pub mod purchase;
pub mod stock;
pub mod vendor;
