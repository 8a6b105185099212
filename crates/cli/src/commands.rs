//! The commands themselves. Each opens the configured store and calls the
//! same operations as the API, as the caller `cli`.

use crate::output;
use crate::{Cli, Command, Global};
use adjutant_core::ids::OrgId;
use adjutant_core::people::OrgSlug;
use adjutant_server::auth::Caller;
use adjutant_server::error::ApiError;
use adjutant_server::ops::{self, DelegationInput, PersonInput, PersonUpdate, TokenInput};
use adjutant_server::{AppState, Config};
use adjutant_store::delegations::DelegationFilter;
use adjutant_store::{AuditFilter, Person, Store};
use anyhow::{Context, anyhow, bail};
use clap::{Args, Subcommand};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The organisation's name, e.g. "Northwind".
    #[arg(long)]
    pub org_name: Option<String>,
    /// Short name for URLs and --org, e.g. "northwind".
    #[arg(long)]
    pub org_slug: Option<String>,
    /// The first administrator's name.
    #[arg(long)]
    pub admin_name: Option<String>,
    /// The first administrator's e-mail address (their sign-in name).
    #[arg(long)]
    pub admin_email: Option<String>,
    /// The administrator's IANA time zone.
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Add a person (with a login when a password is given).
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// admin, principal, assistant, office_manager, staff or contractor.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "UTC")]
        time_zone: String,
        /// Read a password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the people of the organisation.
    List,
    /// Change a person's role.
    SetRole { email: String, role: String },
    /// Set a person's password (read from standard input or prompted).
    SetPassword {
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable a person: they cannot sign in; sessions end and tokens are revoked.
    Disable { email: String },
    /// Enable a disabled person again.
    Enable { email: String },
    /// Turn off a person's second factor (e.g. after a lost phone).
    ResetSecondFactor { email: String },
}

#[derive(Subcommand, Debug)]
pub enum DelegateCmd {
    /// Let DELEGATE act for PRINCIPAL in some scopes.
    Grant {
        /// The principal's e-mail address.
        #[arg(long)]
        principal: String,
        /// The delegate's e-mail address.
        #[arg(long)]
        delegate: String,
        /// Comma-separated: calendar, mail, tasks, travel, expenses, or `all`.
        #[arg(long)]
        scopes: String,
        /// read or act.
        #[arg(long, default_value = "act")]
        level: String,
    },
    /// Revoke the delegation from PRINCIPAL to DELEGATE.
    Revoke {
        #[arg(long)]
        principal: String,
        #[arg(long)]
        delegate: String,
    },
    /// List delegations.
    List,
}

#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Create an API token for a person; its secret is printed once.
    Create {
        /// Whose token (e-mail address).
        #[arg(long)]
        user: String,
        /// What it is for.
        #[arg(long)]
        name: String,
        /// Days until it expires (default: never).
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// List tokens (all people).
    List,
    /// Revoke a token by id.
    Revoke { id: String },
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// At most this many entries.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Only actions starting with this (e.g. `person.`).
    #[arg(long)]
    pub action: Option<String>,
    /// Only actions by this person (e-mail address).
    #[arg(long)]
    pub actor: Option<String>,
}

/// Loads configuration: defaults, `--config`, `ADJUTANT_*`, then flags.
pub(crate) fn load_config(g: &Global) -> anyhow::Result<Config> {
    // `ADJUTANT_USER` says whom commands work for: the command line's own
    // variable, not a server setting, which the configuration would refuse as unknown.
    let env = std::env::vars().filter(|(k, _)| k != crate::calendar::USER_ENV);
    let mut c = Config::load(g.config.as_deref(), env)?;
    if let Some(d) = &g.data {
        c.data = d.clone();
    }
    if let Some(u) = &g.database_url {
        c.database_url = Some(u.clone());
    }
    c.validate()?;
    Ok(c)
}

/// Opens and migrates the configured store for an administrative command.
pub(crate) async fn state_for(config: Config) -> anyhow::Result<AppState> {
    let target = adjutant_server::store_target(&config);
    let store = adjutant_server::open_store(&config).await?;
    store
        .migrate()
        .await
        .with_context(|| format!("database {target}"))?;
    let hashing =
        adjutant_server::secrets::PasswordHashing::new(config.argon2_memory_kib, config.argon2_iterations)?;
    Ok(AppState {
        secrets: adjutant_server::secrets::SecretBox::from_config(&config)?,
        store,
        config: Arc::new(config),
        hashing: Arc::new(hashing),
        metrics: Arc::default(),
        busy: Arc::default(),
    })
}

pub(crate) async fn resolve_org(store: &Store, slug: Option<&str>) -> anyhow::Result<OrgId> {
    if let Some(s) = slug {
        return Ok(store
            .org_by_slug(s)
            .await
            .map_err(|_| anyhow!("no organisation with slug `{s}`"))?
            .id);
    }
    let orgs = store.org_list().await?;
    match orgs.as_slice() {
        [] => bail!(
            "there is no organisation yet; create one with `adjutant init` (or `adjutant serve --demo`)"
        ),
        [one] => Ok(one.id),
        many => bail!(
            "this installation holds {} organisations; choose one with --org ({})",
            many.len(),
            many.iter()
                .map(|o| o.slug.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub(crate) async fn person_by_email(store: &Store, org: OrgId, email: &str) -> anyhow::Result<Person> {
    store
        .person_by_email(org, email)
        .await
        .map_err(|_| anyhow!("no person with e-mail address `{email}` in this organisation"))
}

pub(crate) fn api(e: ApiError) -> anyhow::Error {
    anyhow!("{}", e.detail)
}

/// Whom the commands act as: `cli`, as the audit log records it.
pub(crate) fn cli() -> Caller {
    Caller::System("cli".into())
}

/// Opens the store and the organisation, runs the body, and closes the store
/// whatever the body returned.
macro_rules! with_store {
    ($g:expr, |$state:ident, $org:ident| $body:expr) => {{
        let $state = $crate::commands::state_for($crate::commands::load_config($g)?).await?;
        let result = async {
            let $org = $crate::commands::resolve_org(&$state.store, $g.org.as_deref()).await?;
            $body
        }
        .await;
        $state.store.close().await;
        result
    }};
}
pub(crate) use with_store;

/// A password from stdin (`--password-stdin`), or prompted twice on a terminal.
fn read_password(from_stdin: bool, required_flag: &str) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    if !std::io::stdin().is_terminal() {
        bail!("no password given: pass {required_flag} and write it to standard input");
    }
    let a = rpassword::prompt_password("Password (at least 10 characters): ")?;
    let b = rpassword::prompt_password("Again: ")?;
    if a != b {
        bail!("the two passwords differ");
    }
    Ok(a)
}

fn prompt(label: &str, flag: &str, given: Option<String>) -> anyhow::Result<String> {
    if let Some(v) = given {
        return Ok(v);
    }
    if !std::io::stdin().is_terminal() {
        bail!("missing {flag}");
    }
    eprint_flush(&format!("{label}: "));
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_string())
}

fn eprint_flush(s: &str) {
    let mut e = std::io::stderr();
    let _ = e.write_all(s.as_bytes());
    let _ = e.flush();
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let g = cli.global.clone();
    match cli.command {
        Command::Serve { listen, demo } => {
            let mut config = load_config(&g)?;
            if let Some(l) = listen {
                config.listen = l;
            }
            config.demo |= demo;
            serve(config).await
        }
        Command::Migrate => {
            let config = load_config(&g)?;
            let target = adjutant_server::store_target(&config);
            let store = adjutant_server::open_store(&config).await?;
            let ran = store
                .migrate()
                .await
                .with_context(|| format!("database {target}"))?;
            let v = store.schema_version().await?;
            store.close().await;
            if g.json {
                output::json(&serde_json::json!({"applied": ran, "schema_version": v}));
            } else {
                output::line(&format!(
                    "{target}: applied {ran} migration(s); schema is at version {v}"
                ));
            }
            Ok(())
        }
        Command::Init(a) => init(&g, a).await,
        Command::User(u) => user(&g, u).await,
        Command::Delegate(d) => delegate(&g, d).await,
        Command::Token(t) => token(&g, t).await,
        Command::Backup { file } => backup(&g, &file).await,
        Command::Restore { file, force } => restore(&g, &file, force).await,
        Command::Audit(a) => audit(&g, a).await,
        Command::Agenda(a) => crate::calendar::agenda(&g, a).await,
        Command::FindTime(a) => crate::calendar::find_time(&g, a).await,
        Command::Event(e) => crate::calendar::event(&g, e).await,
        Command::Import(i) => crate::calendar::import(&g, i).await,
        Command::Export(e) => crate::calendar::export(&g, e).await,
        Command::Ics(i) => crate::calendar::ics(i),
        Command::Room(r) => crate::calendar::room(&g, r).await,
        Command::Task(t) => crate::tasks::task(&g, t).await,
        Command::Plan(p) => crate::tasks::plan(&g, p).await,
        Command::Meeting(m) => crate::tasks::meeting(&g, m).await,
        Command::Duties(d) => crate::tasks::duties(&g, d).await,
        Command::Commitments(c) => crate::tasks::commitments(&g, c).await,
        Command::Goals(goals) => crate::tasks::goals(&g, goals).await,
        Command::Vendor(v) => crate::office::vendor(&g, v).await,
        Command::Contract(c) => crate::office::contract(&g, c).await,
        Command::Contracts(c) => crate::office::contracts(&g, c).await,
        Command::Stock(s) => crate::stock::stock(&g, s).await,
        Command::Space(s) => crate::spaces::space(&g, s).await,
        Command::Site(s) => crate::spaces::site(&g, s).await,
        Command::Purchase(p) => crate::purchases::purchase(&g, p).await,
        Command::Expense(e) => crate::expenses::expense(&g, e).await,
        Command::Mail(m) => crate::mail::mail(&g, m).await,
        Command::Triage(t) => crate::mail::triage(&g, t).await,
        Command::Followups(f) => crate::mail::followups(&g, f).await,
        Command::Contacts(c) => crate::mail::contacts(&g, c).await,
        Command::Invoice(i) => crate::invoices::invoice(&g, i).await,
        Command::Budget(b) => crate::invoices::budget(&g, b).await,
        Command::Asset(a) => crate::assets::asset(&g, a).await,
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let listen = config.listen;
    let demo = config.demo;
    let state = adjutant_server::prepare(config).await?;
    // `--demo` seeds only an empty database; show the demo logins only when they exist.
    let demo_logins = match adjutant_server::demo::DEMO_PEOPLE.first() {
        Some((_, email, ..)) if demo => state.store.credential_by_login(email).await?.is_some(),
        _ => false,
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    output::line(&format!("Adjutant is listening on http://{addr}/"));
    if demo && !demo_logins {
        output::line("The database already holds an organisation, so --demo added no demo organisation.");
    }
    if demo_logins {
        output::line(&format!(
            "Demo organisation Northwind: sign in as any of these with the password `{}`:",
            adjutant_server::demo::DEMO_PASSWORD
        ));
        for (name, email, role, zone, what) in adjutant_server::demo::DEMO_PEOPLE {
            output::line(&format!("  {email:<28} {name} — {what} ({role}, {zone})"));
        }
    }
    adjutant_server::serve(state, listener, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = term => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn init(g: &Global, a: InitArgs) -> anyhow::Result<()> {
    let org_name = prompt("Organisation name", "--org-name", a.org_name)?;
    let slug_given = a.org_slug.or_else(|| {
        let s: String = org_name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let s = s.trim_matches('-').to_string();
        (!s.is_empty()).then_some(s)
    });
    let slug = OrgSlug::parse(&prompt("Organisation slug", "--org-slug", slug_given)?)
        .map_err(|e| anyhow!(e.summary()))?;
    let admin_name = prompt("Administrator's name", "--admin-name", a.admin_name)?;
    let admin_email = prompt("Administrator's e-mail", "--admin-email", a.admin_email)?;
    let password = read_password(a.password_stdin, "--password-stdin")?;
    // Check everything before writing anything.
    adjutant_core::people::NewPassword::parse(&password).map_err(|e| anyhow!(e.summary()))?;
    adjutant_core::people::Email::parse(&admin_email).map_err(|e| anyhow!(e.summary()))?;
    adjutant_core::people::PersonName::parse("admin-name", &admin_name).map_err(|e| anyhow!(e.summary()))?;
    adjutant_core::people::ZoneName::parse(&a.time_zone).map_err(|e| anyhow!(e.summary()))?;
    if org_name.trim().is_empty() {
        bail!("--org-name must not be empty");
    }
    let state = state_for(load_config(g)?).await?;
    if state.store.org_by_slug(slug.as_str()).await.is_ok() {
        bail!("an organisation with slug `{}` already exists", slug.as_str());
    }
    // Sign-in names are unique across organisations; refuse now rather than
    // leave an organisation without its administrator behind.
    if state.store.credential_by_login(&admin_email).await?.is_some() {
        bail!("{admin_email}: that e-mail address is already used to sign in elsewhere");
    }
    let caller = Caller::System("cli".into());
    let org = state
        .store
        .org_create(&slug, &org_name, &caller.audit(jiff::Timestamp::now()))
        .await?;
    let admin = ops::create_person(
        &state,
        &caller,
        org.id,
        &PersonInput {
            name: admin_name,
            email: Some(admin_email),
            role: "admin".into(),
            time_zone: Some(a.time_zone),
            password: Some(password),
        },
    )
    .await
    .map_err(api)?;
    state.store.close().await;
    if g.json {
        output::json(&serde_json::json!({"organisation": org, "admin": admin}));
    } else {
        output::line(&format!(
            "Created organisation {} ({}) with administrator {} <{}>.",
            org.name,
            org.slug,
            admin.name,
            admin.email.unwrap_or_default()
        ));
    }
    Ok(())
}

fn person_row(p: &Person) -> Vec<String> {
    vec![
        p.name.clone(),
        p.email.clone().unwrap_or_default(),
        p.role.as_str().into(),
        p.time_zone.clone(),
        if p.disabled {
            "disabled".into()
        } else if p.has_login {
            "login".into()
        } else {
            "no login".into()
        },
        p.id.to_string(),
    ]
}

async fn user(g: &Global, cmd: UserCmd) -> anyhow::Result<()> {
    let state = state_for(load_config(g)?).await?;
    let org = resolve_org(&state.store, g.org.as_deref()).await?;
    let caller = Caller::System("cli".into());
    let result = match cmd {
        UserCmd::Add {
            name,
            email,
            role,
            time_zone,
            password_stdin,
        } => {
            let password = if password_stdin {
                Some(read_password(true, "--password-stdin")?)
            } else {
                None
            };
            let p = ops::create_person(
                &state,
                &caller,
                org,
                &PersonInput {
                    name,
                    email,
                    role,
                    time_zone: Some(time_zone),
                    password,
                },
            )
            .await
            .map_err(api)?;
            if g.json {
                output::json(&p);
            } else {
                output::line(&format!("Added {} ({}), id {}", p.name, p.role, p.id));
            }
            Ok(())
        }
        UserCmd::List => {
            let people = state.store.person_list(org).await?;
            if g.json {
                output::json(&people);
            } else {
                output::table(
                    &["NAME", "E-MAIL", "ROLE", "TIME ZONE", "STATUS", "ID"],
                    &people.iter().map(person_row).collect::<Vec<_>>(),
                );
            }
            Ok(())
        }
        UserCmd::SetRole { email, role } => {
            let p = person_by_email(&state.store, org, &email).await?;
            let p = ops::update_person(
                &state,
                &caller,
                org,
                p.id,
                &PersonUpdate {
                    role: Some(role),
                    ..Default::default()
                },
            )
            .await
            .map_err(api)?;
            report_person(g, &p, "role is now");
            Ok(())
        }
        UserCmd::SetPassword {
            email,
            password_stdin,
        } => {
            let p = person_by_email(&state.store, org, &email).await?;
            let pw = read_password(password_stdin, "--password-stdin")?;
            ops::set_password(&state, &caller, org, p.id, &pw)
                .await
                .map_err(api)?;
            if g.json {
                output::json(&serde_json::json!({"person": p.id, "password_set": true}));
            } else {
                output::line(&format!("Password set for {}.", p.name));
            }
            Ok(())
        }
        UserCmd::Disable { email } => {
            let p = set_disabled(&state, &caller, org, &email, true).await?;
            report_person(g, &p, "is now");
            Ok(())
        }
        UserCmd::ResetSecondFactor { email } => {
            let p = person_by_email(&state.store, org, &email).await?;
            ops::reset_second_factor(&state, &caller, org, p.id)
                .await
                .map_err(api)?;
            if g.json {
                output::json(&serde_json::json!({"person": p.id, "second_factor": false}));
            } else {
                output::line(&format!("{}'s second factor is off.", p.name));
            }
            Ok(())
        }
        UserCmd::Enable { email } => {
            let p = set_disabled(&state, &caller, org, &email, false).await?;
            report_person(g, &p, "is now");
            Ok(())
        }
    };
    state.store.close().await;
    result
}

/// Disables or enables the person with this e-mail address.
async fn set_disabled(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    email: &str,
    disabled: bool,
) -> anyhow::Result<Person> {
    let p = person_by_email(&state.store, org, email).await?;
    let update = PersonUpdate {
        disabled: Some(disabled),
        ..Default::default()
    };
    ops::update_person(state, caller, org, p.id, &update)
        .await
        .map_err(api)
}

fn report_person(g: &Global, p: &Person, what: &str) {
    if g.json {
        output::json(p);
    } else {
        let status = if p.disabled { "disabled" } else { "enabled" };
        if what == "role is now" {
            output::line(&format!("{}'s role is now {}.", p.name, p.role));
        } else {
            output::line(&format!("{} {what} {status}.", p.name));
        }
    }
}

async fn delegate(g: &Global, cmd: DelegateCmd) -> anyhow::Result<()> {
    let state = state_for(load_config(g)?).await?;
    let org = resolve_org(&state.store, g.org.as_deref()).await?;
    let caller = Caller::System("cli".into());
    let result = match cmd {
        DelegateCmd::Grant {
            principal,
            delegate,
            scopes,
            level,
        } => {
            let p = person_by_email(&state.store, org, &principal).await?;
            let d = person_by_email(&state.store, org, &delegate).await?;
            let scopes =
                adjutant_core::delegation::Scope::parse_list(&scopes).map_err(|e| anyhow!(e.summary()))?;
            let rec = ops::grant_delegation(
                &state,
                &caller,
                org,
                &DelegationInput {
                    principal: p.id.to_string(),
                    delegate: d.id.to_string(),
                    scopes: scopes.iter().map(|s| s.as_str().to_string()).collect(),
                    level,
                },
            )
            .await
            .map_err(api)?;
            if g.json {
                output::json(&rec);
            } else {
                output::line(&format!(
                    "{} may now {} for {} in: {}.",
                    rec.delegate_name,
                    if rec.level == adjutant_core::delegation::Level::Act {
                        "act"
                    } else {
                        "read"
                    },
                    rec.principal_name,
                    rec.scopes
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            Ok(())
        }
        DelegateCmd::Revoke { principal, delegate } => {
            let p = person_by_email(&state.store, org, &principal).await?;
            let d = person_by_email(&state.store, org, &delegate).await?;
            let found = state
                .store
                .delegation_list(
                    org,
                    DelegationFilter {
                        principal: Some(p.id),
                        delegate: Some(d.id),
                    },
                )
                .await?;
            let Some(rec) = found.first() else {
                bail!("{} holds no delegation from {}", d.name, p.name);
            };
            let rec = ops::revoke_delegation(&state, &caller, org, rec.id)
                .await
                .map_err(api)?;
            if g.json {
                output::json(&rec);
            } else {
                output::line(&format!(
                    "Revoked: {} no longer acts for {}.",
                    rec.delegate_name, rec.principal_name
                ));
            }
            Ok(())
        }
        DelegateCmd::List => {
            let list = ops::list_delegations(&state, &caller, org).await.map_err(api)?;
            if g.json {
                output::json(&list);
            } else {
                output::table(
                    &["PRINCIPAL", "DELEGATE", "SCOPES", "LEVEL", "ID"],
                    &list
                        .iter()
                        .map(|d| {
                            vec![
                                d.principal_name.clone(),
                                d.delegate_name.clone(),
                                d.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(","),
                                d.level.as_str().into(),
                                d.id.to_string(),
                            ]
                        })
                        .collect::<Vec<_>>(),
                );
            }
            Ok(())
        }
    };
    state.store.close().await;
    result
}

async fn token(g: &Global, cmd: TokenCmd) -> anyhow::Result<()> {
    let state = state_for(load_config(g)?).await?;
    let org = resolve_org(&state.store, g.org.as_deref()).await?;
    let caller = Caller::System("cli".into());
    let result = match cmd {
        TokenCmd::Create {
            user,
            name,
            expires_days,
        } => {
            if expires_days.is_some_and(|d| !(1..=3650).contains(&d)) {
                bail!("--expires-days must be between 1 and 3650");
            }
            let p = person_by_email(&state.store, org, &user).await?;
            let (t, secret) = ops::create_token(
                &state,
                &caller,
                org,
                &TokenInput {
                    name,
                    expires_in_days: expires_days,
                    person: Some(p.id.to_string()),
                },
            )
            .await
            .map_err(api)?;
            if g.json {
                output::json(&serde_json::json!({"token": t, "secret": secret}));
            } else {
                output::line(&format!(
                    "Token `{}` for {} (id {}). Its secret, shown only now:",
                    t.name, p.name, t.id
                ));
                output::line(&secret);
            }
            Ok(())
        }
        TokenCmd::List => {
            let list = ops::list_tokens(&state, &caller, org, true).await.map_err(api)?;
            let people: std::collections::HashMap<_, _> = state
                .store
                .person_list(org)
                .await?
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect();
            let now = jiff::Timestamp::now();
            if g.json {
                output::json(&list);
            } else {
                output::table(
                    &["NAME", "PERSON", "CREATED", "EXPIRES", "STATUS", "ID"],
                    &list
                        .iter()
                        .map(|t| {
                            vec![
                                t.name.clone(),
                                people.get(&t.person).cloned().unwrap_or_default(),
                                t.created_at.strftime("%Y-%m-%d").to_string(),
                                t.expires_at
                                    .map(|e| e.strftime("%Y-%m-%d").to_string())
                                    .unwrap_or_else(|| "never".into()),
                                if t.revoked_at.is_some() {
                                    "revoked".into()
                                } else if t.is_active(now) {
                                    "active".into()
                                } else {
                                    "expired".into()
                                },
                                t.id.to_string(),
                            ]
                        })
                        .collect::<Vec<_>>(),
                );
            }
            Ok(())
        }
        TokenCmd::Revoke { id } => {
            let id = id.parse().map_err(|_| anyhow!("`{id}` is not a token id"))?;
            let t = ops::revoke_token(&state, &caller, org, id).await.map_err(api)?;
            if g.json {
                output::json(&t);
            } else {
                output::line(&format!("Revoked token `{}`.", t.name));
            }
            Ok(())
        }
    };
    state.store.close().await;
    result
}

async fn backup(g: &Global, file: &Path) -> anyhow::Result<()> {
    let config = load_config(g)?;
    let store = adjutant_server::open_store(&config).await?;
    store.check_schema_not_newer().await?;
    store.backup_to(file).await?;
    store.close().await;
    let version = adjutant_store::maintenance::verify_backup(file).await?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    if g.json {
        output::json(&serde_json::json!({"file": file, "bytes": size, "schema_version": version}));
    } else {
        output::line(&format!(
            "Backed up to {} ({} bytes, schema version {version}).",
            file.display(),
            size
        ));
    }
    Ok(())
}

async fn restore(g: &Global, file: &Path, force: bool) -> anyhow::Result<()> {
    let config = load_config(g)?;
    if config.database_url.is_some() {
        bail!(
            "restore writes the embedded SQLite store; for PostgreSQL use pg_restore with a pg_dump backup"
        );
    }
    let version = adjutant_store::maintenance::verify_backup(file)
        .await
        .with_context(|| format!("{} is not a usable backup", file.display()))?;
    std::fs::create_dir_all(&config.data)
        .with_context(|| format!("data directory {}", config.data.display()))?;
    let db = config.data.join("adjutant.db");
    if db.exists() {
        if !force {
            bail!(
                "{} already exists; pass --force to replace it (the current one is kept beside it)",
                db.display()
            );
        }
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
        // Never overwrite an earlier kept database (two restores in one second).
        let mut keep = config.data.join(format!("adjutant.db.before-restore-{stamp}"));
        let mut n = 1;
        while keep.exists() {
            keep = config
                .data
                .join(format!("adjutant.db.before-restore-{stamp}-{n}"));
            n += 1;
        }
        std::fs::rename(&db, &keep).with_context(|| format!("moving {} aside", db.display()))?;
        for ext in ["-wal", "-shm"] {
            let side = config.data.join(format!("adjutant.db{ext}"));
            if side.exists() {
                let _ = std::fs::rename(
                    &side,
                    keep.with_file_name(format!(
                        "{}{ext}",
                        keep.file_name().map(|f| f.to_string_lossy()).unwrap_or_default()
                    )),
                );
            }
        }
    }
    // Copy beside the target, flush it to disk, then rename: a crash leaves
    // either no database or the whole restored one.
    let tmp = config.data.join("adjutant.db.restoring");
    std::fs::copy(file, &tmp).with_context(|| format!("copying {}", file.display()))?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, &db)?;
    if let Ok(dir) = std::fs::File::open(&config.data) {
        let _ = dir.sync_all();
    }
    let store = Store::open_sqlite(&config.data).await?;
    let problems = store.integrity_check().await?;
    let counts = store.table_counts().await?;
    store.close().await;
    if !problems.is_empty() {
        bail!(
            "the restored database fails its integrity check: {}",
            problems.join("; ")
        );
    }
    if g.json {
        output::json(
            &serde_json::json!({"restored": db, "schema_version": version, "rows": counts.into_iter().collect::<std::collections::BTreeMap<_,_>>()}),
        );
    } else {
        output::line(&format!(
            "Restored {} into {} (schema version {version}; {}).",
            file.display(),
            db.display(),
            counts
                .iter()
                .map(|(t, n)| format!("{n} {t}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(())
}

async fn audit(g: &Global, a: AuditArgs) -> anyhow::Result<()> {
    let state = state_for(load_config(g)?).await?;
    let org = resolve_org(&state.store, g.org.as_deref()).await?;
    if !(1..=1000).contains(&a.limit) {
        bail!("--limit must be between 1 and 1000");
    }
    let actor = match &a.actor {
        Some(e) => Some(person_by_email(&state.store, org, e).await?.id),
        None => None,
    };
    let entries = ops::read_audit(
        &state,
        &Caller::System("cli".into()),
        org,
        &AuditFilter {
            actor,
            action_prefix: a.action.clone(),
            item_id: None,
            before: None,
            limit: a.limit,
        },
    )
    .await
    .map_err(api)?;
    let names: std::collections::HashMap<_, _> = state
        .store
        .person_list(org)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    state.store.close().await;
    if g.json {
        output::json(&entries);
    } else {
        output::table(
            &["WHEN (UTC)", "WHO", "FOR", "ACTION", "ITEM"],
            &entries
                .iter()
                .map(|e| {
                    vec![
                        e.at.strftime("%Y-%m-%d %H:%M:%S").to_string(),
                        e.actor_label.clone(),
                        e.on_behalf_of
                            .and_then(|p| names.get(&p).cloned())
                            .unwrap_or_default(),
                        e.action.clone(),
                        match &e.item_id {
                            Some(id) => format!(
                                "{} {}",
                                e.item_type,
                                id.parse()
                                    .ok()
                                    .and_then(|p| names.get(&p).cloned())
                                    .unwrap_or_else(|| id.clone())
                            ),
                            None => e.item_type.clone(),
                        },
                    ]
                })
                .collect::<Vec<_>>(),
        );
    }
    Ok(())
}
