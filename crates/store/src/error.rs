//! The store's one error type, and the one helper that turns constraint
//! violations into domain errors.

/// What can go wrong in the store, in terms the server can map to HTTP.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The item does not exist in this organisation (or at all).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule was broken, e.g. an e-mail address already in use.
    #[error("{0}")]
    Conflict(String),
    /// The database holds a schema newer than this binary knows.
    #[error(
        "the database schema is at version {found}, newer than this binary supports ({known}); upgrade Adjutant"
    )]
    SchemaTooNew { found: i64, known: i64 },
    /// A stored value could not be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A domain rule refused the change (checked inside the transaction, against what is stored).
    #[error("{0}")]
    Invalid(adjutant_core::ValidationError),
    /// The operation is not available on this engine.
    #[error("{0}")]
    Unsupported(String),
    /// Anything else from the database driver.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Maps unique and foreign-key violations to [`StoreError::Conflict`] with `message`.
    pub(crate) fn on_constraint(message: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
        move |e| match e.as_database_error().map(|d| d.kind()) {
            Some(sqlx::error::ErrorKind::UniqueViolation)
            | Some(sqlx::error::ErrorKind::ForeignKeyViolation) => StoreError::Conflict(message.to_string()),
            _ => StoreError::Database(e),
        }
    }
}
