//! Everything the CLI prints goes through here: text tables for people,
//! JSON for scripts, one-line errors on stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use serde::Serialize;
use std::io::Write;

/// Writes to stdout. When the reader has gone (`adjutant contract list | head`),
/// the command stops quietly, as command-line tools do, instead of panicking.
fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write the output: {e}");
        std::process::exit(1);
    }
}

/// Prints one line.
pub fn line(s: &str) {
    out(&format!("{s}\n"));
}

/// Prints a value as pretty JSON.
pub fn json<T: Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => line(&s),
        Err(e) => error(&format!("cannot encode output: {e}")),
    }
}

/// Prints text as it is (e.g. an .ics file), without adding a newline.
pub fn raw(s: &str) {
    out(s);
}

/// Prints a value as compact JSON on one line (JSON Lines).
pub fn json_line<T: Serialize>(v: &T) {
    match serde_json::to_string(v) {
        Ok(s) => line(&s),
        Err(e) => error(&format!("cannot encode output: {e}")),
    }
}

/// Prints an error as one line on stderr.
pub fn error(msg: &str) {
    eprintln!("error: {msg}");
}

/// Prints rows under a header, columns padded to their widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let fmt = |cells: Vec<String>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths.get(i).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut text = fmt(header.iter().map(|h| h.to_string()).collect());
    text.push('\n');
    for r in rows {
        text.push_str(&fmt(r.clone()));
        text.push('\n');
    }
    out(&text);
}

/// Rewrites a progress line on stderr, only when stderr is a terminal
/// (`done`: end the line).
pub fn progress(msg: &str, done: bool) {
    use std::io::IsTerminal;
    let mut err = std::io::stderr().lock();
    if err.is_terminal() {
        let end = if done { "\n" } else { "" };
        let _ = write!(err, "\r\x1b[2K{msg}{end}");
        let _ = err.flush();
    }
}
