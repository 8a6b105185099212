//! Group polls over proposed times, and read-only calendar feeds.
//!
//! Both are reached from outside the organisation by an unguessable link: the
//! store keeps only the SHA-256 of the link's token, and a token names exactly
//! one row, which carries its organisation (as sessions and API tokens do).

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::{from_micros, new_uuid, parse_id, to_micros};
use adjutant_core::calendar::poll::Answer;
use adjutant_core::calendar::{EventData, TimeRange};
use adjutant_core::ids::{CalendarId, FeedId, MeetingRequestId, OrgId, PersonId, PollId, ResourceId};
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

/// The state of a poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PollStatus {
    Open,
    /// The organiser booked the winning time.
    Booked,
    /// Closed without booking.
    Closed,
}

impl PollStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            PollStatus::Open => "open",
            PollStatus::Booked => "booked",
            PollStatus::Closed => "closed",
        }
    }
    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "open" => Ok(PollStatus::Open),
            "booked" => Ok(PollStatus::Booked),
            "closed" => Ok(PollStatus::Closed),
            other => Err(StoreError::Corrupt(format!("unknown poll status `{other}`"))),
        }
    }
}

/// One proposed time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PollOption {
    pub id: String,
    pub range: TimeRange,
}

/// Someone asked to answer: a person of the organisation or an outsider with a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PollParticipant {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub person: Option<PersonId>,
    pub responded_at: Option<Timestamp>,
}

/// A participant to invite; `token_hash` is the SHA-256 of their link's secret.
#[derive(Debug, Clone)]
pub struct NewParticipant {
    pub name: String,
    pub email: Option<String>,
    pub person: Option<PersonId>,
    pub token_hash: Option<String>,
}

/// A poll with its options, participants and every answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Poll {
    pub id: PollId,
    pub org: OrgId,
    pub calendar: CalendarId,
    pub organiser: PersonId,
    pub title: String,
    /// The event to book when the poll is decided (times: the first option's).
    pub template: EventData,
    pub status: PollStatus,
    /// The room to book with the winning time.
    pub room: Option<ResourceId>,
    pub meeting_request: Option<MeetingRequestId>,
    pub options: Vec<PollOption>,
    pub participants: Vec<PollParticipant>,
    /// (participant id, option id, answer).
    pub answers: Vec<(String, String, Answer)>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A read-only subscription feed of a calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feed {
    pub id: FeedId,
    pub org: OrgId,
    pub calendar: CalendarId,
    pub name: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

macro_rules! feed_row {
    ($r:expr) => {{
        let r = $r;
        let revoked: Option<i64> = r.try_get("revoked_at")?;
        Feed {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            calendar: parse_id(&r.try_get::<String, _>("calendar_id")?)?,
            name: r.try_get("name")?,
            created_at: from_micros(r.try_get("created_at")?),
            revoked_at: revoked.map(from_micros),
        }
    }};
}

impl Store {
    /// Creates a poll with its options and participants in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn poll_create(
        &self,
        org: OrgId,
        organiser: PersonId,
        calendar: CalendarId,
        template: &EventData,
        room: Option<ResourceId>,
        options: &[TimeRange],
        participants: &[NewParticipant],
        ctx: &AuditCtx,
    ) -> Result<Poll, StoreError> {
        self.person_get(org, organiser).await?;
        for p in participants.iter().filter_map(|p| p.person) {
            self.person_get(org, p).await?;
        }
        let id = PollId(new_uuid());
        let data = serde_json::to_string(template).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = to_micros(ctx.now);
        let mut tx = self.begin().await?;
        // A nil calendar means the organiser's default, made in this transaction when missing.
        let calendar = if calendar.as_uuid().is_nil() {
            self.default_calendar_in(&mut tx, org, organiser, ctx).await?
        } else {
            self.calendar_get(org, calendar).await?;
            calendar
        };
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO polls (org_id, id, calendar_id, organiser_id, title, data, room_id, status, meeting_request_id,
                     created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', NULL, $8, $8)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(calendar.to_string())
            .bind(organiser.to_string())
            .bind(&template.summary)
            .bind(&data)
            .bind(room.map(|r| r.to_string()))
            .bind(now)
            .execute(&mut *c)
            .await?;
            for (i, o) in options.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO poll_options (org_id, id, poll_id, position, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(org.to_string())
                .bind(new_uuid().to_string())
                .bind(id.to_string())
                .bind(i64::try_from(i).unwrap_or(i64::MAX))
                .bind(to_micros(o.start))
                .bind(to_micros(o.end))
                .execute(&mut *c)
                .await?;
            }
            for p in participants {
                sqlx::query(
                    "INSERT INTO poll_participants (org_id, id, poll_id, name, email, person_id, token_hash, responded_at, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)",
                )
                .bind(org.to_string())
                .bind(new_uuid().to_string())
                .bind(id.to_string())
                .bind(&p.name)
                .bind(p.email.as_deref())
                .bind(p.person.map(|x| x.to_string()))
                .bind(p.token_hash.as_deref())
                .bind(now)
                .execute(&mut *c)
                .await
                .map_err(StoreError::on_constraint("a participant link collided; try again"))?;
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "poll.create",
            "poll",
            Some(id.to_string()),
            serde_json::json!({"title": template.summary, "options": options.len(),
                "participants": participants.iter().map(|p| &p.name).collect::<Vec<_>>()}),
        )
        .await?;
        tx.commit().await?;
        self.poll_get(org, id).await
    }

    /// The poll `id` in `org`, with options, participants and answers.
    pub async fn poll_get(&self, org: OrgId, id: PollId) -> Result<Poll, StoreError> {
        on_pool!(&self.pool, |c| {
            let r = sqlx::query("SELECT * FROM polls WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("poll"))?;
            let data: String = r.try_get("data")?;
            let request: Option<String> = r.try_get("meeting_request_id")?;
            let room: Option<String> = r.try_get("room_id")?;
            let options = sqlx::query("SELECT * FROM poll_options WHERE poll_id = $1 ORDER BY position")
                .bind(id.to_string())
                .fetch_all(c)
                .await?
                .iter()
                .map(|o| {
                    Ok(PollOption {
                        id: o.try_get("id")?,
                        range: TimeRange {
                            start: from_micros(o.try_get("starts_at")?),
                            end: from_micros(o.try_get("ends_at")?),
                        },
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let participants = sqlx::query(
                "SELECT * FROM poll_participants WHERE poll_id = $1 ORDER BY created_at, name, id",
            )
            .bind(id.to_string())
            .fetch_all(c)
            .await?
            .iter()
            .map(|p| {
                let person: Option<String> = p.try_get("person_id")?;
                let responded: Option<i64> = p.try_get("responded_at")?;
                Ok(PollParticipant {
                    id: p.try_get("id")?,
                    name: p.try_get("name")?,
                    email: p.try_get("email")?,
                    person: person.as_deref().map(parse_id).transpose()?,
                    responded_at: responded.map(from_micros),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
            let answers = sqlx::query(
                "SELECT a.participant_id, a.option_id, a.answer FROM poll_answers a
                   JOIN poll_participants p ON p.id = a.participant_id
                  WHERE p.poll_id = $1 ORDER BY a.participant_id, a.option_id",
            )
            .bind(id.to_string())
            .fetch_all(c)
            .await?
            .iter()
            .map(|a| {
                let answer: String = a.try_get("answer")?;
                Ok((
                    a.try_get("participant_id")?,
                    a.try_get("option_id")?,
                    answer
                        .parse::<Answer>()
                        .map_err(|_| StoreError::Corrupt(format!("unknown poll answer `{answer}`")))?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
            Ok(Poll {
                id,
                org,
                calendar: parse_id(&r.try_get::<String, _>("calendar_id")?)?,
                organiser: parse_id(&r.try_get::<String, _>("organiser_id")?)?,
                title: r.try_get("title")?,
                template: serde_json::from_str(&data)
                    .map_err(|e| StoreError::Corrupt(format!("stored poll: {e}")))?,
                status: PollStatus::parse(&r.try_get::<String, _>("status")?)?,
                room: room.as_deref().map(parse_id).transpose()?,
                meeting_request: request.as_deref().map(parse_id).transpose()?,
                options,
                participants,
                answers,
                created_at: from_micros(r.try_get("created_at")?),
                updated_at: from_micros(r.try_get("updated_at")?),
            })
        })
    }

    /// Polls of `org` (optionally one organiser's), newest first.
    pub async fn poll_list(&self, org: OrgId, organiser: Option<PersonId>) -> Result<Vec<Poll>, StoreError> {
        let ids: Vec<PollId> = on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT id FROM polls WHERE org_id = $1 AND ($2 IS NULL OR organiser_id = $2) ORDER BY created_at DESC, id DESC",
            )
            .bind(org.to_string())
            .bind(organiser.map(|p| p.to_string()))
            .fetch_all(c)
            .await?;
            rows.iter()
                .map(|r| parse_id(&r.try_get::<String, _>("id")?))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.poll_get(org, id).await?);
        }
        Ok(out)
    }

    /// The poll and participant a link's token belongs to.
    pub async fn poll_by_token(&self, token_hash: &str) -> Result<Option<(Poll, String)>, StoreError> {
        let found: Option<(OrgId, PollId, String)> = on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT org_id, poll_id, id FROM poll_participants WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(c)
                .await?;
            match row {
                Some(r) => Some((
                    parse_id(&r.try_get::<String, _>("org_id")?)?,
                    parse_id(&r.try_get::<String, _>("poll_id")?)?,
                    r.try_get::<String, _>("id")?,
                )),
                None => None,
            }
        });
        match found {
            Some((org, poll, participant)) => Ok(Some((self.poll_get(org, poll).await?, participant))),
            None => Ok(None),
        }
    }

    /// Records a participant's answers (replacing earlier ones) while the poll is open.
    pub async fn poll_answer(
        &self,
        org: OrgId,
        poll: PollId,
        participant: &str,
        answers: &[(String, Answer)],
        ctx: &AuditCtx,
    ) -> Result<Poll, StoreError> {
        let p = self.poll_get(org, poll).await?;
        if p.status != PollStatus::Open {
            return Err(StoreError::Conflict(format!(
                "this poll is {}; answers are closed",
                p.status.as_str()
            )));
        }
        let Some(who) = p.participants.iter().find(|x| x.id == participant) else {
            return Err(StoreError::NotFound("poll participant"));
        };
        for (option, _) in answers {
            if !p.options.iter().any(|o| o.id == *option) {
                return Err(StoreError::NotFound("poll option"));
            }
        }
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query("DELETE FROM poll_answers WHERE org_id = $1 AND participant_id = $2")
                .bind(org.to_string())
                .bind(participant)
                .execute(&mut *c)
                .await?;
            for (option, answer) in answers {
                sqlx::query("INSERT INTO poll_answers (org_id, participant_id, option_id, answer) VALUES ($1, $2, $3, $4)")
                    .bind(org.to_string())
                    .bind(participant)
                    .bind(option)
                    .bind(answer.as_str())
                    .execute(&mut *c)
                    .await?;
            }
            sqlx::query("UPDATE poll_participants SET responded_at = $3 WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(participant)
                .bind(to_micros(ctx.now))
                .execute(&mut *c)
                .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "poll.answer",
            "poll",
            Some(poll.to_string()),
            serde_json::json!({"participant": who.name,
                "answers": answers.iter().map(|(o, a)| serde_json::json!({"option": o, "answer": a.as_str()})).collect::<Vec<_>>()}),
        )
        .await?;
        tx.commit().await?;
        self.poll_get(org, poll).await
    }

    /// Closes a poll, booked (through a meeting request) or not.
    pub async fn poll_close(
        &self,
        org: OrgId,
        poll: PollId,
        booked: Option<MeetingRequestId>,
        ctx: &AuditCtx,
    ) -> Result<Poll, StoreError> {
        let p = self.poll_get(org, poll).await?;
        if p.status != PollStatus::Open {
            return Err(StoreError::Conflict(format!(
                "this poll is already {}",
                p.status.as_str()
            )));
        }
        let status = if booked.is_some() {
            PollStatus::Booked
        } else {
            PollStatus::Closed
        };
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            let done = sqlx::query(
                "UPDATE polls SET status = $3, meeting_request_id = $4, updated_at = $5
                 WHERE org_id = $1 AND id = $2 AND status = 'open'",
            )
            .bind(org.to_string())
            .bind(poll.to_string())
            .bind(status.as_str())
            .bind(booked.map(|r| r.to_string()))
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict("this poll is no longer open".into()));
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            if booked.is_some() {
                "poll.book"
            } else {
                "poll.close"
            },
            "poll",
            Some(poll.to_string()),
            serde_json::json!({"title": p.title, "meeting_request": booked}),
        )
        .await?;
        tx.commit().await?;
        self.poll_get(org, poll).await
    }

    // ---- feeds ----

    /// Creates a feed of a calendar; `token_hash` is the SHA-256 of its link's secret.
    pub async fn feed_create(
        &self,
        org: OrgId,
        calendar: CalendarId,
        name: &str,
        token_hash: &str,
        ctx: &AuditCtx,
    ) -> Result<Feed, StoreError> {
        self.calendar_get(org, calendar).await?;
        let id = FeedId(new_uuid());
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO calendar_feeds (org_id, id, calendar_id, name, token_hash, created_at, revoked_at)
                 VALUES ($1, $2, $3, $4, $5, $6, NULL)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(calendar.to_string())
            .bind(name)
            .bind(token_hash)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("a feed link collided; try again"))?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "feed.create",
            "feed",
            Some(id.to_string()),
            serde_json::json!({"calendar": calendar, "name": name}),
        )
        .await?;
        tx.commit().await?;
        self.feed_get(org, id).await
    }

    /// The feed `id` in `org`.
    pub async fn feed_get(&self, org: OrgId, id: FeedId) -> Result<Feed, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM calendar_feeds WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("feed"))?;
            Ok(feed_row!(&row))
        })
    }

    /// The feeds of a calendar, newest first.
    pub async fn feed_list(&self, org: OrgId, calendar: CalendarId) -> Result<Vec<Feed>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM calendar_feeds WHERE org_id = $1 AND calendar_id = $2 ORDER BY created_at DESC, id DESC",
            )
            .bind(org.to_string())
            .bind(calendar.to_string())
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(feed_row!(r))).collect()
        })
    }

    /// The live (not revoked) feed a link's token belongs to.
    pub async fn feed_by_token(&self, token_hash: &str) -> Result<Option<Feed>, StoreError> {
        on_pool!(&self.pool, |c| {
            let row =
                sqlx::query("SELECT * FROM calendar_feeds WHERE token_hash = $1 AND revoked_at IS NULL")
                    .bind(token_hash)
                    .fetch_optional(c)
                    .await?;
            match row {
                Some(r) => Ok(Some(feed_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Revokes a feed: its link stops working at once.
    pub async fn feed_revoke(&self, org: OrgId, id: FeedId, ctx: &AuditCtx) -> Result<Feed, StoreError> {
        let f = self.feed_get(org, id).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "UPDATE calendar_feeds SET revoked_at = $3 WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "feed.revoke",
            "feed",
            Some(id.to_string()),
            serde_json::json!({"calendar": f.calendar, "name": f.name}),
        )
        .await?;
        tx.commit().await?;
        self.feed_get(org, id).await
    }
}
