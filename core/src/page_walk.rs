//! What the GraphQL and the REST page walks do alike: end after the last page or the first
//! error, and stop at the client's page limit.

use crate::error::{Error, ErrorKind};

/// The walk's answer for its next page: `result` as it is, with `done` set once the walk is
/// over (after the last page, `Ok(None)`, or any error).
pub(crate) fn settle_page<T>(
    done: &mut bool,
    result: Result<Option<T>, Error>,
) -> Result<Option<T>, Error> {
    if !matches!(result, Ok(Some(_))) {
        *done = true;
    }
    result
}

/// Refuses another page after `pages` with [`ErrorKind::TooLarge`] when that would pass the
/// client's `max_pages` (`limit`); `walk` names the kind of paging in the message.
pub(crate) fn check_page_limit(walk: &str, pages: usize, limit: usize) -> Result<(), Error> {
    if pages >= limit {
        return Err(Error::new(
            ErrorKind::TooLarge,
            format!("{walk} paging has more than {limit} pages (max_pages)"),
        ));
    }
    Ok(())
}
