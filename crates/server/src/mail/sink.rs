//! A tiny SMTP receiver (RFC 5321's minimum: EHLO/HELO, MAIL, RCPT, DATA, RSET,
//! NOOP, QUIT) that keeps every message in memory: a relay for tests and for
//! trying Adjutant out without sending real mail. It listens on loopback only
//! and never forwards anything.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// The longest command line accepted (RFC 5321 §4.5.3.1.4 says 512; some slack).
const MAX_LINE: u64 = 4096;
/// The largest message accepted.
pub const MAX_MESSAGE: usize = 25 * 1024 * 1024;
/// A client silent this long is disconnected.
const IDLE: Duration = Duration::from_secs(60);

/// One message as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The envelope sender (`MAIL FROM`), without brackets; empty for `<>`.
    pub from: String,
    /// The envelope recipients (`RCPT TO`), without brackets.
    pub to: Vec<String>,
    /// The message as sent, dot-unstuffed, lines ending CRLF.
    pub raw: Vec<u8>,
}

/// A running receiver; stops when dropped.
pub struct Sink {
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

struct Shared {
    messages: Mutex<Vec<Received>>,
    arrived: Notify,
    /// Recipients refused at `RCPT TO` with 550 (lower case).
    refuse: Vec<String>,
}

impl Sink {
    /// Listens on `127.0.0.1` on a free port, accepting every recipient.
    pub async fn start() -> std::io::Result<(Sink, SocketAddr)> {
        Self::start_refusing(Vec::new()).await
    }

    /// Like [`Sink::start`], but answers `RCPT TO` for these addresses with
    /// `550`, as a relay does for a recipient it will not take.
    pub async fn start_refusing(refuse: Vec<String>) -> std::io::Result<(Sink, SocketAddr)> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            messages: Mutex::new(Vec::new()),
            arrived: Notify::new(),
            refuse: refuse.into_iter().map(|a| a.to_ascii_lowercase()).collect(),
        });
        let for_task = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = for_task.clone();
                tokio::spawn(async move {
                    let _ = session(stream, &shared).await;
                });
            }
        });
        Ok((Sink { shared, task }, addr))
    }

    /// Every message received so far, in order of arrival.
    pub fn messages(&self) -> Vec<Received> {
        lock(&self.shared.messages).clone()
    }

    /// Waits until at least `n` messages have arrived, or `limit` passes;
    /// returns the messages either way (the caller checks the count).
    pub async fn wait_for(&self, n: usize, limit: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.shared.arrived.notified();
            let now = self.messages();
            if now.len() >= n {
                return now;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.messages();
            }
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock(m: &Mutex<Vec<Received>>) -> std::sync::MutexGuard<'_, Vec<Received>> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One client's conversation.
async fn session(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(b"220 localhost Adjutant sink ready\r\n").await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut greeted = false;
    loop {
        let Some(line) = next_line(&mut read, MAX_LINE).await? else {
            return Ok(());
        };
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let upper = text.to_ascii_uppercase();
        let verb = upper.split(' ').next().unwrap_or("");
        let reply: String = match verb {
            "EHLO" => {
                greeted = true;
                from = None;
                to.clear();
                "250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 26214400".into()
            }
            "HELO" => {
                greeted = true;
                from = None;
                to.clear();
                "250 localhost".into()
            }
            "MAIL" if !greeted => "503 5.5.1 say hello first".into(),
            "MAIL" => match path_after(text, "FROM:") {
                Some(a) => {
                    from = Some(a);
                    to.clear();
                    "250 2.1.0 ok".into()
                }
                None => "501 5.5.4 syntax: MAIL FROM:<address>".into(),
            },
            "RCPT" if from.is_none() => "503 5.5.1 need MAIL first".into(),
            "RCPT" => match path_after(text, "TO:") {
                Some(a) if shared.refuse.contains(&a.to_ascii_lowercase()) => {
                    format!("550 5.1.1 <{a}>: recipient refused")
                }
                Some(a) => {
                    to.push(a);
                    "250 2.1.5 ok".into()
                }
                None => "501 5.5.4 syntax: RCPT TO:<address>".into(),
            },
            "DATA" if to.is_empty() => "503 5.5.1 need RCPT first".into(),
            "DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                match data(&mut read).await? {
                    Some(raw) => {
                        let message = Received {
                            from: from.take().unwrap_or_default(),
                            to: std::mem::take(&mut to),
                            raw,
                        };
                        lock(&shared.messages).push(message);
                        shared.arrived.notify_waiters();
                        "250 2.0.0 queued".into()
                    }
                    None => "552 5.3.4 message too big".into(),
                }
            }
            "RSET" => {
                from = None;
                to.clear();
                "250 2.0.0 ok".into()
            }
            "NOOP" => "250 2.0.0 ok".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 command not implemented".into(),
        };
        write.write_all(reply.as_bytes()).await?;
        write.write_all(b"\r\n").await?;
    }
}

/// The message after `DATA`, dot-unstuffed; `None` when it is too big (the
/// rest is read and dropped so the conversation can go on).
async fn data<R: AsyncRead + Unpin>(read: &mut BufReader<R>) -> std::io::Result<Option<Vec<u8>>> {
    let mut raw = Vec::new();
    let mut too_big = false;
    loop {
        let Some(mut line) = next_line(read, MAX_MESSAGE as u64 + 2).await? else {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        };
        if line == b".\r\n" || line == b".\n" {
            return Ok(if too_big { None } else { Some(raw) });
        }
        if line.first() == Some(&b'.') {
            line.remove(0);
        }
        if !line.ends_with(b"\r\n") {
            // A bare LF line end is taken as CRLF.
            if line.ends_with(b"\n") {
                line.pop();
            }
            line.extend_from_slice(b"\r\n");
        }
        if raw.len() + line.len() > MAX_MESSAGE {
            too_big = true;
            raw.clear();
        } else if !too_big {
            raw.extend_from_slice(&line);
        }
    }
}

/// One line (with its end), at most `max` bytes; `None` at end of stream.
async fn next_line<R: AsyncRead + Unpin>(
    read: &mut BufReader<R>,
    max: u64,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let n = tokio::time::timeout(IDLE, (&mut *read).take(max).read_until(b'\n', &mut line))
        .await
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
    if n == 0 {
        return Ok(None);
    }
    if !line.ends_with(b"\n") && n as u64 >= max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "line too long",
        ));
    }
    Ok(Some(line))
}

/// The address in `MAIL FROM:<a> …` / `RCPT TO:<a> …`, without brackets.
fn path_after(line: &str, keyword: &str) -> Option<String> {
    let (_, rest) = line.split_once(' ')?;
    let rest = rest.trim_start();
    if !rest.to_ascii_uppercase().starts_with(keyword) {
        return None;
    }
    let rest = rest[keyword.len()..].trim_start();
    let path = rest.split(' ').next()?;
    let inner = path.strip_prefix('<')?.strip_suffix('>')?;
    Some(inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read() {
        assert_eq!(
            path_after("MAIL FROM:<a@b.c> SIZE=10", "FROM:").as_deref(),
            Some("a@b.c")
        );
        assert_eq!(
            path_after("mail from: <a@b.c>", "FROM:").as_deref(),
            Some("a@b.c")
        );
        assert_eq!(path_after("MAIL FROM:<>", "FROM:").as_deref(), Some(""));
        assert_eq!(path_after("RCPT TO:x@y", "TO:"), None);
    }
}
