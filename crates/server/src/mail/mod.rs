//! Mail over the network: IMAP sync of a person's mailbox and sending through
//! an SMTP relay, plus a local SMTP receiver for tests and trying Adjutant out.

pub mod imap;
pub mod sink;
pub mod smtp;
