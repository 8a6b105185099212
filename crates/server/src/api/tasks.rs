//! `/api/v1` task routes: tasks (with quick add, done, moving between
//! quadrants), the matrix, commitments, goals with their alignment, and plans
//! (dry run, apply, undo).

use super::{ApiJson, ApiQuery, caller, path_id as id};
use crate::app::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiResult, Problem};
use crate::ops::planning::{self, PlanOptions, PlanView};
use crate::ops::tasks::{
    self as ops, CommitmentsView, GoalInput, GoalView, MatrixView, Names, QuickAddInput, QuickAddOutcome,
    TaskInput, TaskPatch, TaskQuery, TaskView,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A task changed, and the next one of a repeating task when this one was done.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskUpdated {
    pub task: TaskView,
    pub next: Option<TaskView>,
}

/// A quadrant to move a task into.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveToQuadrant {
    /// do_now, schedule, delegate or drop.
    pub quadrant: String,
}

/// Whose matrix or commitments.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PersonQuery {
    /// Person id or e-mail (default: yourself, or whom you act for).
    pub person: Option<String>,
}

/// Whose goals, over how many days ahead.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct GoalsQuery {
    pub person: Option<String>,
    /// Days ahead whose planned time is counted (default 28).
    pub days: Option<i64>,
}

async fn task_view(
    state: &AppState,
    c: &crate::auth::Caller,
    t: &adjutant_store::tasks::TaskRecord,
) -> ApiResult<TaskView> {
    let names = Names::load(state, t.org).await?;
    ops::view(c, t.org, t, &names, Timestamp::now()).ok_or_else(|| crate::error::ApiError::not_found("task"))
}

/// Tasks of a person (owned, done or shared with them), soonest due first.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", security(("bearer" = []), ("session" = [])),
    params(TaskQuery),
    responses((status = 200, body = [TaskView]), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> ApiResult<Json<Vec<TaskView>>> {
    let org = auth.org();
    let c = caller(auth);
    let (_, tasks) = ops::list_tasks(&state, &c, org, &q).await?;
    let names = Names::load(&state, org).await?;
    let now = Timestamp::now();
    Ok(Json(
        tasks
            .iter()
            .filter_map(|t| ops::view(&c, org, t, &names, now))
            .collect(),
    ))
}

/// Adds a task.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", security(("bearer" = []), ("session" = [])),
    request_body = TaskInput,
    responses((status = 201, body = TaskView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<TaskInput>,
) -> ApiResult<(StatusCode, Json<TaskView>)> {
    let org = auth.org();
    let c = caller(auth);
    let t = ops::create_task(&state, &c, org, &input).await?;
    Ok((StatusCode::CREATED, Json(task_view(&state, &c, &t).await?)))
}

/// Adds a task from one line: `call Anna about the lease tomorrow 15:00 !high #board ~30m @maya +lease`.
#[utoipa::path(post, path = "/api/v1/tasks/quick", tag = "tasks", security(("bearer" = []), ("session" = [])),
    request_body = QuickAddInput,
    responses((status = 201, body = QuickAddOutcome), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn quick(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<QuickAddInput>,
) -> ApiResult<(StatusCode, Json<QuickAddOutcome>)> {
    let org = auth.org();
    let c = caller(auth);
    let (t, not_understood) = ops::quick_add(&state, &c, org, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(QuickAddOutcome {
            task: task_view(&state, &c, &t).await?,
            not_understood,
        }),
    ))
}

/// One task.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Task id")),
    responses((status = 200, body = TaskView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(tid): Path<String>,
) -> ApiResult<Json<TaskView>> {
    let org = auth.org();
    let c = caller(auth);
    let t = ops::get_task(&state, &c, org, id(&tid, "task")?).await?;
    Ok(Json(task_view(&state, &c, &t).await?))
}

/// Changes a task; marking a repeating task done makes its next one.
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "tasks", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Task id")), request_body = TaskPatch,
    responses((status = 200, body = TaskUpdated), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(tid): Path<String>,
    ApiJson(patch): ApiJson<TaskPatch>,
) -> ApiResult<Json<TaskUpdated>> {
    let org = auth.org();
    let c = caller(auth);
    let (t, next) = ops::update_task(&state, &c, org, id(&tid, "task")?, &patch).await?;
    updated(&state, &c, t, next).await
}

async fn updated(
    state: &AppState,
    c: &crate::auth::Caller,
    t: adjutant_store::tasks::TaskRecord,
    next: Option<adjutant_store::tasks::TaskRecord>,
) -> ApiResult<Json<TaskUpdated>> {
    let next = match next {
        Some(n) => Some(task_view(state, c, &n).await?),
        None => None,
    };
    Ok(Json(TaskUpdated {
        task: task_view(state, c, &t).await?,
        next,
    }))
}

/// Deletes a task (tasks waiting for it no longer do).
#[utoipa::path(delete, path = "/api/v1/tasks/{id}", tag = "tasks", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Task id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(tid): Path<String>,
) -> ApiResult<StatusCode> {
    let org = auth.org();
    ops::delete_task(&state, &caller(auth), org, id(&tid, "task")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks a task done.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/done", tag = "tasks", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Task id")),
    responses((status = 200, body = TaskUpdated), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn done(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(tid): Path<String>,
) -> ApiResult<Json<TaskUpdated>> {
    let org = auth.org();
    let c = caller(auth);
    let (t, next) = ops::complete_task(&state, &c, org, id(&tid, "task")?).await?;
    updated(&state, &c, t, next).await
}

/// Moves a task into a quadrant of the matrix (the least change of impact and urgency that puts it there).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/move", tag = "tasks", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Task id")), request_body = MoveToQuadrant,
    responses((status = 200, body = TaskView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn move_to(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(tid): Path<String>,
    ApiJson(input): ApiJson<MoveToQuadrant>,
) -> ApiResult<Json<TaskView>> {
    let org = auth.org();
    let c = caller(auth);
    let t = ops::move_task(&state, &c, org, id(&tid, "task")?, &input.quadrant).await?;
    Ok(Json(task_view(&state, &c, &t).await?))
}

/// The urgent × important matrix of a person's open tasks, and what waits for their decision.
#[utoipa::path(get, path = "/api/v1/matrix", tag = "tasks", security(("bearer" = []), ("session" = [])),
    params(PersonQuery),
    responses((status = 200, body = MatrixView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn matrix(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<PersonQuery>,
) -> ApiResult<Json<MatrixView>> {
    let org = auth.org();
    Ok(Json(
        ops::matrix(&state, &caller(auth), org, q.person.as_deref()).await?,
    ))
}

/// Everything a person owes and is owed, overdue first.
#[utoipa::path(get, path = "/api/v1/commitments", tag = "tasks", security(("bearer" = []), ("session" = [])),
    params(PersonQuery),
    responses((status = 200, body = CommitmentsView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn commitments(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<PersonQuery>,
) -> ApiResult<Json<CommitmentsView>> {
    let org = auth.org();
    Ok(Json(
        ops::commitments_of(&state, &caller(auth), org, q.person.as_deref()).await?,
    ))
}

/// A person's active goals with their share of planned time and open tasks (last row: no goal).
#[utoipa::path(get, path = "/api/v1/goals", tag = "tasks", security(("bearer" = []), ("session" = [])),
    params(GoalsQuery),
    responses((status = 200, body = [GoalView]), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn goals(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<GoalsQuery>,
) -> ApiResult<Json<Vec<GoalView>>> {
    let org = auth.org();
    let (_, rows) = ops::goals_alignment(&state, &caller(auth), org, q.person.as_deref(), q.days).await?;
    Ok(Json(rows))
}

/// Adds a goal.
#[utoipa::path(post, path = "/api/v1/goals", tag = "tasks", security(("bearer" = []), ("session" = [])),
    request_body = GoalInput,
    responses((status = 201, body = GoalView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn goal_create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<GoalInput>,
) -> ApiResult<(StatusCode, Json<GoalView>)> {
    let org = auth.org();
    let g = ops::create_goal(&state, &caller(auth), org, &input).await?;
    let names = Names::load(&state, org).await?;
    Ok((StatusCode::CREATED, Json(ops::goal_view(&g, &names))))
}

/// Changes a goal.
#[utoipa::path(put, path = "/api/v1/goals/{id}", tag = "tasks", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Goal id")), request_body = GoalInput,
    responses((status = 200, body = GoalView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn goal_update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(gid): Path<String>,
    ApiJson(input): ApiJson<GoalInput>,
) -> ApiResult<Json<GoalView>> {
    let org = auth.org();
    let g = ops::update_goal(&state, &caller(auth), org, id(&gid, "goal")?, &input).await?;
    let names = Names::load(&state, org).await?;
    Ok(Json(ops::goal_view(&g, &names)))
}

// ---- plans ----

/// The dry run: where each open task would land and why. Nothing is written.
#[utoipa::path(get, path = "/api/v1/plans/preview", tag = "tasks", security(("bearer" = []), ("session" = [])),
    params(PlanOptions),
    responses((status = 200, body = PlanView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn plan_preview(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(o): ApiQuery<PlanOptions>,
) -> ApiResult<Json<PlanView>> {
    let org = auth.org();
    Ok(Json(planning::preview(&state, &caller(auth), org, &o).await?))
}

/// Plans and applies: the blocks become calendar events (category `task`), replacing the applied plan's.
#[utoipa::path(post, path = "/api/v1/plans", tag = "tasks", security(("bearer" = []), ("session" = [])),
    request_body = PlanOptions,
    responses((status = 201, body = PlanView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn plan_apply(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(o): ApiJson<PlanOptions>,
) -> ApiResult<(StatusCode, Json<PlanView>)> {
    let org = auth.org();
    Ok((
        StatusCode::CREATED,
        Json(planning::apply(&state, &caller(auth), org, &o).await?),
    ))
}

/// A person's plans, newest first.
#[utoipa::path(get, path = "/api/v1/plans", tag = "tasks", security(("bearer" = []), ("session" = [])),
    params(PersonQuery),
    responses((status = 200, body = [PlanView]), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn plans(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<PersonQuery>,
) -> ApiResult<Json<Vec<PlanView>>> {
    let org = auth.org();
    let (_, list) = planning::list(&state, &caller(auth), org, q.person.as_deref()).await?;
    let names = Names::load(&state, org).await?;
    Ok(Json(
        list.iter().map(|p| planning::stored_view(p, &names)).collect(),
    ))
}

/// One plan, as it was computed.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "tasks", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, body = PlanView), (status = 404, body = Problem)))]
pub async fn plan_get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
) -> ApiResult<Json<PlanView>> {
    let org = auth.org();
    let p = planning::get(&state, &caller(auth), org, id(&pid, "plan")?).await?;
    let names = Names::load(&state, org).await?;
    Ok(Json(planning::stored_view(&p, &names)))
}

/// Undoes a plan in one action: its blocks leave the calendar, the ones it replaced come back.
#[utoipa::path(post, path = "/api/v1/plans/{id}/undo", tag = "tasks", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, body = PlanView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn plan_undo(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
) -> ApiResult<Json<PlanView>> {
    let org = auth.org();
    Ok(Json(
        planning::undo(&state, &caller(auth), org, id(&pid, "plan")?).await?,
    ))
}
