//! A one-line progress display on stderr, drawn only when stderr is a terminal.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

/// Progress of a walk over GraphQL pages. Silent unless stderr is a terminal.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    drawn: bool,
    last_draw: Option<Instant>,
}

impl Progress {
    /// A progress line on stderr if stderr is a terminal; a silent one otherwise.
    pub fn stderr() -> Progress {
        Progress::new(io::stderr().is_terminal())
    }

    /// A progress line that draws only if `enabled`.
    pub fn new(enabled: bool) -> Progress {
        Progress {
            enabled,
            drawn: false,
            last_draw: None,
        }
    }

    /// Reports `pages` pages and `items` edges so far, of `total` if the server said.
    pub fn update(&mut self, pages: usize, items: usize, total: Option<u64>) {
        if self.due() {
            self.draw(&render(pages, items, total));
        }
    }

    /// Shows `line` (already rendered), at most ~20 times a second.
    pub fn show(&mut self, line: &str) {
        if self.due() {
            self.draw(line);
        }
    }

    /// Whether a line is to be drawn now: drawing is on and the last draw is old enough. At
    /// most ~20 redraws a second: fast walks would otherwise spend their time drawing.
    fn due(&self) -> bool {
        self.enabled
            && self
                .last_draw
                .is_none_or(|t| t.elapsed() >= Duration::from_millis(50))
    }

    /// Draws `line` over the previous one.
    fn draw(&mut self, line: &str) {
        self.last_draw = Some(Instant::now());
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        self.drawn = true;
    }

    /// True if the line is drawn at all (stderr is a terminal).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Erases the line.
    pub fn finish(&mut self) {
        if self.drawn {
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The text of the progress line: a bar when the total is known, counts otherwise.
pub fn render(pages: usize, items: usize, total: Option<u64>) -> String {
    const WIDTH: usize = 30;
    match total.filter(|t| *t > 0) {
        Some(total) => {
            let fraction = (items as f64 / total as f64).clamp(0.0, 1.0);
            let filled = (fraction * WIDTH as f64).round() as usize;
            format!(
                "lx: [{}{}] {items}/{total} edges, {pages} page{}",
                "#".repeat(filled),
                "-".repeat(WIDTH - filled),
                if pages == 1 { "" } else { "s" }
            )
        }
        None => format!(
            "lx: {items} edges, {pages} page{}",
            if pages == 1 { "" } else { "s" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_bar_or_counts() {
        assert_eq!(
            render(1, 50, Some(100)),
            format!(
                "lx: [{}{}] 50/100 edges, 1 page",
                "#".repeat(15),
                "-".repeat(15)
            )
        );
        assert_eq!(render(2, 7, None), "lx: 7 edges, 2 pages");
        assert!(render(3, 500, Some(100)).contains(&"#".repeat(30)));
    }

    #[test]
    fn a_silent_progress_draws_nothing() {
        let mut p = Progress::new(false);
        p.update(1, 1, None);
        assert!(!p.drawn);
    }
}
