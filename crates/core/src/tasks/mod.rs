//! Tasks and priorities: what a task is (`task`), the urgent × important
//! matrix, goals, recurring duties and who owes what (`commitments`), quick
//! add from one line of text (`quick_add`) and auto-planning into free time
//! (`planner`).

pub mod commitments;
pub mod duty;
pub mod goal;
pub mod planner;
pub mod quick_add;
pub mod task;
