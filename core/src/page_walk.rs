//! What the GraphQL and the REST page walks do alike: end after the last page or the first
//! error, and stop at the client's page limit.

use serde_json::Value;

use crate::error::{Error, ErrorKind};

/// The part of a page walk that differs from walk to walk: fetching one page.
pub(crate) trait Walk {
    /// Whether the walk is over (after the last page or an error).
    fn done(&mut self) -> &mut bool;
    /// Fetches the next page; `Ok(None)` after the last one.
    async fn fetch(&mut self) -> Result<Option<Value>, Error>;
}

/// The walk's next page: `None` once the walk is over, else what its fetch answers, the walk
/// being over after the last page (`Ok(None)`) or any error.
pub(crate) async fn next_page(walk: &mut impl Walk) -> Result<Option<Value>, Error> {
    if *walk.done() {
        return Ok(None);
    }
    let result = walk.fetch().await;
    if !matches!(result, Ok(Some(_))) {
        *walk.done() = true;
    }
    result
}

/// Refuses to fetch another page after `pages` with [`ErrorKind::TooLarge`] when that would
/// pass the client's `max_pages` (`limit`); `walk` names the kind of paging in the message.
/// Called before a page is requested, so the `limit` pages fetched all reach the caller and
/// nothing past them is sent.
pub(crate) fn check_page_limit(walk: &str, pages: usize, limit: usize) -> Result<(), Error> {
    if pages >= limit {
        let unit = if limit == 1 { "page" } else { "pages" };
        return Err(Error::new(
            ErrorKind::TooLarge,
            format!("{walk} paging has more than {limit} {unit} (max_pages)"),
        ));
    }
    Ok(())
}
