//! The office side: money, vendors and their contracts.

pub mod contract;
pub mod money;
pub mod vendor;
