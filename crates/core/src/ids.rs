//! Typed identifiers, so a person's id can never be passed where an
//! organisation's is expected. Ids are UUIDs (v7 when minted by the store).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// The id as a UUID.
            pub fn as_uuid(&self) -> uuid::Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s.trim()).map(Self)
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(u: uuid::Uuid) -> Self {
                Self(u)
            }
        }
    };
}

typed_id!(
    /// An organisation: the tenant every row belongs to.
    OrgId
);
typed_id!(
    /// A person in an organisation, with or without a login.
    PersonId
);
typed_id!(
    /// A delegation from a principal to an assistant.
    DelegationId
);
typed_id!(
    /// A bearer API token.
    TokenId
);
typed_id!(
    /// A browser session.
    SessionId
);
typed_id!(
    /// One entry in the audit log.
    AuditId
);
typed_id!(
    /// A calendar: a person's or a resource's.
    CalendarId
);
typed_id!(
    /// An event (a single one, or the master of a recurring series).
    EventId
);
typed_id!(
    /// A bookable resource: a room now; desks and equipment later.
    ResourceId
);
typed_id!(
    /// A meeting request, with its tentative holds.
    MeetingRequestId
);
typed_id!(
    /// A group poll over several proposed times.
    PollId
);
typed_id!(
    /// A read-only subscription feed of a calendar.
    FeedId
);
typed_id!(
    /// A stored iTIP message (an invitation or cancellation) for one attendee.
    ItipMessageId
);
typed_id!(
    /// A task: something someone owes, from a quick add, a meeting or a duty.
    TaskId
);
typed_id!(
    /// A goal: a strategic priority for a period.
    GoalId
);
typed_id!(
    /// The notes of one meeting (one occurrence of an event): agenda, minutes, decisions.
    MeetingId
);
typed_id!(
    /// A file attached to a meeting's agenda.
    MaterialId
);
typed_id!(
    /// A plan: task blocks placed on someone's calendar in one go.
    PlanId
);
typed_id!(
    /// A recurring duty of the office or of a leader's support.
    DutyId
);
typed_id!(
    /// A supplier the office buys from.
    VendorId
);
typed_id!(
    /// A contract with a vendor: its term, renewal and notice period.
    ContractId
);
typed_id!(
    /// A file kept with a contract: the signed copy, an amendment.
    DocumentId
);
typed_id!(
    /// A stock item: something the office keeps and reorders.
    StockItemId
);
typed_id!(
    /// A purchase: a request, once approved an order, then received.
    PurchaseId
);
typed_id!(
    /// A vendor's invoice, registered for matching, approval and payment.
    InvoiceId
);
typed_id!(
    /// A budget: an amount for one category over one period.
    BudgetId
);
typed_id!(
    /// A site: an office building with its floors.
    SiteId
);
typed_id!(
    /// A booking of a room, a desk or a piece of equipment, with its check-in.
    BookingId
);
typed_id!(
    /// An asset: a piece of equipment or a software licence.
    AssetId
);
typed_id!(
    /// An expense someone paid and is to be paid back for.
    ExpenseId
);
typed_id!(
    /// An expense report: expenses submitted together for approval.
    ExpenseReportId
);
typed_id!(
    /// A receipt kept with an expense.
    ReceiptId
);
typed_id!(
    /// A person's mailbox: an IMAP account or the place imported mail lands.
    MailboxId
);
typed_id!(
    /// One stored mail message (not its `Message-ID` header, which is text).
    MailId
);
typed_id!(
    /// A conversation: messages joined by `Message-ID`, `In-Reply-To` and `References`.
    ThreadId
);
typed_id!(
    /// A screening rule: "from domain X → category Y".
    MailRuleId
);
typed_id!(
    /// A reply template with variables.
    TemplateId
);
typed_id!(
    /// A message being written: by its owner, or by an assistant for approval.
    DraftId
);
typed_id!(
    /// A contact: someone the organisation corresponds or meets with.
    ContactId
);
