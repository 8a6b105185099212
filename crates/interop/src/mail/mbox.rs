//! mbox archives read as a stream (the mboxrd flavour, which the others are
//! subsets of): a message starts at a `From ` line that begins the file or
//! follows a blank line; lines of the form `>From `, `>>From `, … lose one
//! `>`. Memory stays bounded by the largest accepted message (25 MiB) plus
//! one read buffer, however large the file: a message over the limit is
//! counted and skipped as it streams past, never held.

use super::MAX_MESSAGE_BYTES;
use std::io::BufRead;

/// A line is handled in pieces of at most this many bytes, so one endless
/// line is never held whole either.
const PIECE: usize = 64 * 1024;

/// One entry of an mbox archive, or why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MboxItem {
    /// A message's raw bytes (">From " unquoted), with its 1-based position and
    /// the line of the file its `From ` separator is on.
    Message {
        /// 1-based position among the entries.
        number: usize,
        /// The line of its `From ` separator.
        line: u64,
        /// The message, without the separator and the blank line after it.
        raw: Vec<u8>,
    },
    /// A stretch of the file that is not a message, or a message over the size limit
    /// (skipped without being held in memory).
    Rejected {
        /// 1-based position among the entries.
        number: usize,
        /// The line it starts on.
        line: u64,
        /// Why, in a sentence.
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    /// Nothing more to read.
    End,
    /// A whole line, or the end of one, with its newline.
    Line,
    /// The last line of the file, without a newline.
    Last,
    /// A piece of a longer line.
    Partial,
}

#[derive(Debug)]
struct Entry {
    number: usize,
    line: u64,
    last_line: u64,
    raw: Vec<u8>,
    size: u64,
    /// Text before the first `From ` line.
    stray: bool,
    /// Over the size limit: counted, not kept.
    over: bool,
}

impl Entry {
    fn append(&mut self, bytes: &[u8], line: u64) {
        self.last_line = line;
        self.size += bytes.len() as u64;
        if self.stray || self.over {
            return;
        }
        if self.raw.len() + bytes.len() > MAX_MESSAGE_BYTES {
            self.over = true;
            self.raw = Vec::new();
        } else {
            self.raw.extend_from_slice(bytes);
        }
    }

    fn finish(mut self) -> MboxItem {
        if self.stray {
            return MboxItem::Rejected {
                number: self.number,
                line: self.line,
                reason: format!(
                    "lines {}–{} are not a message: an mbox file starts with a `From ` line",
                    self.line, self.last_line
                ),
            };
        }
        if self.over {
            return MboxItem::Rejected {
                number: self.number,
                line: self.line,
                reason: format!(
                    "message {} at line {} is {} bytes; the largest accepted is 25 MiB",
                    self.number, self.line, self.size
                ),
            };
        }
        // The blank line before the next separator belongs to the separator.
        if self.raw.ends_with(b"\r\n\r\n") {
            self.raw.truncate(self.raw.len() - 2);
        } else if self.raw.ends_with(b"\n\n") {
            self.raw.truncate(self.raw.len() - 1);
        }
        MboxItem::Message {
            number: self.number,
            line: self.line,
            raw: self.raw,
        }
    }
}

/// Reads an mbox archive as a stream: memory stays bounded by the largest
/// accepted message, however large the file.
pub struct MboxReader<R> {
    inner: R,
    bytes_read: u64,
    /// Lines begun so far.
    line_no: u64,
    /// Entries begun so far.
    number: usize,
    current: Option<Entry>,
    /// The piece being handled.
    piece: Vec<u8>,
    /// Within a line whose first piece was handled.
    mid_line: bool,
    /// The rest of the current line is dropped (a long separator line).
    skip_rest: bool,
    /// The last whole line was blank.
    prev_blank: bool,
    done: bool,
}

impl<R: BufRead> MboxReader<R> {
    /// A reader over an mbox file's bytes.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            bytes_read: 0,
            line_no: 0,
            number: 0,
            current: None,
            piece: Vec::with_capacity(256),
            mid_line: false,
            skip_rest: false,
            prev_blank: false,
            done: false,
        }
    }

    /// Bytes consumed so far (for a progress bar).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Reads the next piece of a line into `self.piece`.
    fn read_piece(&mut self) -> std::io::Result<Piece> {
        self.piece.clear();
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(if self.piece.is_empty() {
                    Piece::End
                } else {
                    Piece::Last
                });
            }
            let room = PIECE - self.piece.len();
            let (take, ends) = match buf.iter().take(room).position(|b| *b == b'\n') {
                Some(p) => (p + 1, true),
                None => (buf.len().min(room), false),
            };
            self.piece.extend_from_slice(&buf[..take]);
            self.inner.consume(take);
            self.bytes_read += take as u64;
            if ends {
                return Ok(Piece::Line);
            }
            if self.piece.len() >= PIECE {
                return Ok(Piece::Partial);
            }
        }
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = MboxItem;

    fn next(&mut self) -> Option<MboxItem> {
        loop {
            if self.done {
                return None;
            }
            let piece = match self.read_piece() {
                Ok(p) => p,
                Err(e) => {
                    self.done = true;
                    self.number += 1;
                    return Some(MboxItem::Rejected {
                        number: self.number,
                        line: self.line_no,
                        reason: format!("reading stopped at line {}: {e}", self.line_no),
                    });
                }
            };
            if piece == Piece::End {
                self.done = true;
                return self.current.take().map(Entry::finish);
            }
            let line_done = piece != Piece::Partial;
            if self.mid_line {
                if !self.skip_rest
                    && let Some(e) = self.current.as_mut()
                {
                    e.append(&self.piece, self.line_no);
                }
                self.mid_line = !line_done;
                self.skip_rest &= !line_done;
                continue;
            }
            self.line_no += 1;
            self.mid_line = !line_done;
            let separator = self.piece.starts_with(b"From ") && (self.prev_blank || self.line_no == 1);
            if separator {
                self.number += 1;
                let entry = Entry {
                    number: self.number,
                    line: self.line_no,
                    last_line: self.line_no,
                    raw: Vec::new(),
                    size: 0,
                    stray: false,
                    over: false,
                };
                self.skip_rest = !line_done;
                self.prev_blank = false;
                if let Some(done) = self.current.replace(entry) {
                    return Some(done.finish());
                }
                continue;
            }
            let entry = self.current.get_or_insert_with(|| {
                self.number += 1;
                Entry {
                    number: self.number,
                    line: self.line_no,
                    last_line: self.line_no,
                    raw: Vec::new(),
                    size: 0,
                    stray: true,
                    over: false,
                }
            });
            let quotes = self.piece.iter().take_while(|b| **b == b'>').count();
            let quoted_from = quotes > 0 && self.piece[quotes..].starts_with(b"From ");
            let start = usize::from(quoted_from);
            entry.append(&self.piece[start..], self.line_no);
            self.prev_blank = line_done && matches!(self.piece.as_slice(), b"\n" | b"\r\n" | b"");
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn read(bytes: &[u8]) -> Vec<MboxItem> {
        MboxReader::new(bytes).collect()
    }

    #[test]
    fn splits_numbers_and_unquotes() {
        let mbox = b"From a@x Thu Dec  3 10:00:00 2026\nSubject: one\n\n>From the start\n>From here\n>>From there\n\nFrom b@x Thu Dec  3 10:01:00 2026\nSubject: two\n\nbody\n";
        let items = read(mbox);
        assert_eq!(items.len(), 2);
        let MboxItem::Message { number, line, raw } = &items[0] else {
            panic!()
        };
        assert_eq!((*number, *line), (1, 1));
        // A `From ` line after a blank line starts a message, so writers quote it.
        assert_eq!(
            String::from_utf8_lossy(raw),
            "Subject: one\n\nFrom the start\nFrom here\n>From there\n"
        );
        let MboxItem::Message { number, line, .. } = &items[1] else {
            panic!()
        };
        assert_eq!((*number, *line), (2, 8));
    }

    #[test]
    fn a_stray_start_is_rejected() {
        let items = read(b"garbage\nmore\n\nFrom a@x Thu Dec  3 10:00:00 2026\nSubject: s\n\nb\n");
        assert!(
            matches!(&items[0], MboxItem::Rejected { number: 1, line: 1, reason } if reason.contains("lines 1–3")),
            "{items:?}"
        );
        assert!(matches!(
            &items[1],
            MboxItem::Message {
                number: 2,
                line: 4,
                ..
            }
        ));
    }

    #[test]
    fn counts_bytes_read() {
        let mbox = b"From a@x Thu Dec  3 10:00:00 2026\nSubject: s\n\nb";
        let mut r = MboxReader::new(&mbox[..]);
        assert!(r.next().is_some());
        assert_eq!(r.bytes_read(), mbox.len() as u64);
        assert!(r.next().is_none());
    }
}
