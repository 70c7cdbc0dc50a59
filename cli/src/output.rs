//! Printing: response bodies (JSON pretty or compact, everything else raw), curl-style headers,
//! and the one-line messages on stderr.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use leanix::Response;
use serde_json::Value;

use crate::exit::{CliError, Exit};

static VERBOSE: AtomicBool = AtomicBool::new(false);

/// Turns `--verbose` reporting on.
pub fn set_verbose(on: bool) {
    VERBOSE.store(on, Ordering::Relaxed);
}

/// True when `--verbose` was given.
pub fn is_verbose() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

/// Prints `lx: <message>` on stderr when `--verbose` is on. Callers never pass secrets.
pub fn verbose(message: &str) {
    if is_verbose() {
        eprintln!("lx: {message}");
    }
}

/// Prints `lx: warning: <message>` on stderr.
pub fn warn(message: &str) {
    eprintln!("lx: warning: {message}");
}

/// How responses are printed.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// Indent JSON.
    pub pretty: bool,
    /// Print the status line and headers first.
    pub include: bool,
}

impl Output {
    /// `--pretty` / `--compact` if given, else pretty exactly when stdout is a terminal.
    pub fn new(pretty: bool, compact: bool, include: bool) -> Output {
        let pretty = if pretty {
            true
        } else if compact {
            false
        } else {
            io::stdout().is_terminal()
        };
        Output { pretty, include }
    }

    /// Prints a response: headers if `--include`, then the body. Also used for the response of
    /// a failed call with `--include`, so its headers and whole body show.
    pub fn response(&self, response: &Response) -> Result<(), CliError> {
        let mut out = io::stdout().lock();
        if self.include {
            write_status_line(&mut out, response.status()).map_err(write_error)?;
            for (name, value) in response.headers() {
                out.write_all(name.as_str().as_bytes())
                    .map_err(write_error)?;
                out.write_all(b": ").map_err(write_error)?;
                out.write_all(value.as_bytes()).map_err(write_error)?;
                out.write_all(b"\n").map_err(write_error)?;
            }
            out.write_all(b"\n").map_err(write_error)?;
        }
        self.body_to(&mut out, response.body())
    }

    /// Writes a body: reformatted if it is JSON, byte for byte otherwise.
    fn body_to(&self, out: &mut impl Write, body: &[u8]) -> Result<(), CliError> {
        let result = if is_json(body) {
            let mut text = format_json(body, self.pretty);
            text.push(b'\n');
            out.write_all(&text)
        } else {
            out.write_all(body)
        };
        result.and_then(|()| out.flush()).map_err(write_error)
    }

    /// Prints a JSON value.
    pub fn json(&self, value: &Value) -> Result<(), CliError> {
        let text = if self.pretty {
            serde_json::to_vec_pretty(value)
        } else {
            serde_json::to_vec(value)
        }
        .map_err(|e| CliError::new(Exit::Other, format!("cannot print JSON: {e}")))?;
        let mut out = io::stdout().lock();
        out.write_all(&text)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush())
            .map_err(write_error)
    }
}

/// Writes a line of text to stdout.
pub fn line(text: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(write_error)
}

fn write_status_line(out: &mut impl Write, status: u16) -> io::Result<()> {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    writeln!(out, "HTTP {status} {reason}")
}

/// A failed write to stdout. A closed pipe (`lx ... | head`) ends the program quietly with
/// success: the reader has what it wanted.
pub fn write_error(e: io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        CliError::new(Exit::Ok, "")
    } else {
        CliError::new(Exit::Output, format!("cannot write the output: {e}"))
    }
}

/// Whether descriptor 1 was closed when the process started (`lx ... >&-`). Read by a
/// function in `.init_array`, which runs before Rust's start-up code reopens closed standard
/// descriptors onto /dev/null (after which every write would seem to succeed).
static STDOUT_CLOSED_AT_START: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

#[used]
#[link_section = ".init_array"]
static NOTE_CLOSED_STDOUT: extern "C" fn() = {
    extern "C" fn note() {
        // SAFETY: F_GETFD on a descriptor number reads its flags; it touches no memory.
        if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
            STDOUT_CLOSED_AT_START.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
    note
};

/// Refuses to run with standard output closed (`lx ... >&-`): the output would be lost while
/// `lx` reported success (curl exits 23 there).
pub fn check_stdout_open() -> Result<(), CliError> {
    if STDOUT_CLOSED_AT_START.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(CliError::new(
            Exit::Output,
            "standard output is closed; nothing could be printed (redirect it to a file or /dev/null instead)",
        ));
    }
    Ok(())
}

fn is_json(body: &[u8]) -> bool {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    matches!(first, Some(b'{' | b'[' | b'"'))
        && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

/// Reformats valid JSON text without parsing it into values, so that key order, number
/// spelling and string escapes stay exactly as the server sent them.
pub fn format_json(input: &[u8], pretty: bool) -> Vec<u8> {
    fn newline(out: &mut Vec<u8>, depth: usize) {
        out.push(b'\n');
        out.extend(std::iter::repeat_n(b' ', depth * 2));
    }
    let next_significant = |from: usize| {
        input[from..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map(|p| from + p)
    };
    let mut out = Vec::with_capacity(input.len() + input.len() / 4);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut i = 0;
    while i < input.len() {
        let c = input[i];
        i += 1;
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
            continue;
        }
        match c {
            b' ' | b'\n' | b'\r' | b'\t' => {}
            b'"' => {
                in_string = true;
                out.push(c);
            }
            b'{' | b'[' => {
                out.push(c);
                match next_significant(i) {
                    Some(j) if matches!(input[j], b'}' | b']') => {
                        out.push(input[j]);
                        i = j + 1;
                    }
                    _ => {
                        depth += 1;
                        if pretty {
                            newline(&mut out, depth);
                        }
                    }
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if pretty {
                    newline(&mut out, depth);
                }
                out.push(c);
            }
            b',' => {
                out.push(c);
                if pretty {
                    newline(&mut out, depth);
                }
            }
            b':' => {
                out.push(c);
                if pretty {
                    out.push(b' ');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_and_pretty_keep_order_and_spelling() {
        let src = br#" { "z": 1.50, "a" : [ ], "s": "x, \"y\": {}", "o": {"k": [1, 2]} } "#;
        assert_eq!(
            String::from_utf8(format_json(src, false)).unwrap(),
            r#"{"z":1.50,"a":[],"s":"x, \"y\": {}","o":{"k":[1,2]}}"#
        );
        let pretty = String::from_utf8(format_json(src, true)).unwrap();
        assert_eq!(
            pretty,
            "{\n  \"z\": 1.50,\n  \"a\": [],\n  \"s\": \"x, \\\"y\\\": {}\",\n  \"o\": {\n    \"k\": [\n      1,\n      2\n    ]\n  }\n}"
        );
        let reparsed: Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(reparsed["o"]["k"][1], 2);
    }

    #[test]
    fn only_json_documents_count_as_json() {
        assert!(is_json(b"{\"a\":1}"));
        assert!(is_json(b" [1]\n"));
        assert!(!is_json(b"42"));
        assert!(!is_json(b"{broken"));
        assert!(!is_json(b"<html>"));
    }
}
