//! Mail: triage (categories, priority and the reasons for both, a classifier
//! that learns from corrections), screening (senders and rules), follow-ups,
//! templates and contacts' keep-in-touch cadence.

pub mod correspond;
pub mod office;
pub mod scan;
pub mod screen;
pub mod triage;
