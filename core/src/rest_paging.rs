//! The one paging rule for paged REST lists (Pathfinder's `cursor`, MTM's `page`/`size`), used
//! by every surface.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::Hasher;
use std::io;

use serde_json::Value;

use crate::error::{quote, Error, ErrorKind};
use crate::page_walk::{self, check_page_limit, Walk};
use crate::request::{Request, Response};
use crate::Client;

/// The query parameter that carries Pathfinder's REST cursor.
pub const REST_CURSOR_PARAM: &str = "cursor";
/// The query parameter that carries the page number of a `page`/`size` list.
pub const REST_PAGE_PARAM: &str = "page";
/// The query parameter that carries the page size of a `page`/`size` list.
pub const REST_SIZE_PARAM: &str = "size";

/// The pages of a paged REST list, fetched one at a time, so that a walk over 200 000 fact
/// sheets holds one page in memory.
///
/// The rule, the same on every surface (Rust, C, Python, Java, `lx get --paginate`):
/// - every page is a JSON object with a `data` array; anything else fails with
///   [`ErrorKind::InvalidResponse`] (a non-2xx answer fails as any call does);
/// - **cursor lists** (the default; Pathfinder's `GET /services/pathfinder/v1/factSheets`):
///   the next page is the same request with `cursor=` set to the page's `cursor`; a `cursor`
///   that is `null`, `""` or absent ends the walk; a cursor the walk has seen before (the
///   path's own included) means the server goes round in circles, and one that is not a
///   string is not a cursor: both fail with [`ErrorKind::InvalidResponse`];
/// - **numbered lists** (the path's query names `page`, as MTM's `?page=1&size=100`): the next
///   page is `page + 1`; the walk ends at a page with an empty `data`, at one with fewer items
///   than the path's `size`, or once the items so far reach the page's `total`; a `page` that
///   is not a whole number fails with [`ErrorKind::InvalidArgument`] before anything is sent.
///   A list that does not count pages would make such a walk repeat or drop items, so each of
///   these fails with [`ErrorKind::InvalidResponse`] instead: a page that carries a `cursor`
///   (a cursor list, which ignores `page=`), a page whose `data` is the page before's again,
///   and an end (empty or short page) before the items reach the `total` the page announces;
/// - more pages than the client's `max_pages` ([`policy::DEFAULT_MAX_PAGES`]) fail with
///   [`ErrorKind::TooLarge`].
///
/// The other query parameters (`pageSize`, `type`, …) are sent unchanged on every page, as
/// are the request's headers, deadline and cancel handle (each page is one call).
///
/// [`policy::DEFAULT_MAX_PAGES`]: crate::policy::DEFAULT_MAX_PAGES
#[derive(Debug)]
pub struct RestPages {
    client: Client,
    request: Request,
    plan: Plan,
    seen: HashSet<String>,
    /// A digest of the previous numbered page's `data` (a list that ignores `page=` repeats it).
    previous: Option<u64>,
    pages: usize,
    items: u64,
    done: bool,
}

#[derive(Debug, Clone)]
enum Mode {
    /// Follow `cursor`; the cursor of the next request (`None`: the first page, no cursor).
    Cursor(Option<String>),
    /// Count `page` up from this number; `size` if the path gives one.
    Numbered { page: u64, size: Option<u64> },
}

/// Where a walk stands: the path without its query, the query's other parameters (raw, as
/// given), the paging mode, and a problem with the path found before anything is sent.
#[derive(Debug, Clone)]
struct Plan {
    base: String,
    params: Vec<String>,
    mode: Mode,
    invalid: Option<String>,
}

impl Plan {
    fn of(path: &str) -> Plan {
        let (base, query) = path.split_once('?').unwrap_or((path, ""));
        let mut params = Vec::new();
        let (mut cursor, mut page, mut size, mut invalid) = (None, None, None, None);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                REST_CURSOR_PARAM => cursor = Some(decode(value)),
                REST_PAGE_PARAM => match value.parse::<u64>() {
                    Ok(n) => page = Some(n),
                    Err(_) => {
                        invalid = Some(format!(
                            "the paged path's page={} is not a whole number",
                            quote(&decode(value))
                        ))
                    }
                },
                _ => {
                    if key == REST_SIZE_PARAM {
                        size = value.parse::<u64>().ok().filter(|n| *n > 0);
                    }
                    params.push(pair.to_owned());
                }
            }
        }
        let mode = match (page, &invalid) {
            (Some(page), _) => Mode::Numbered { page, size },
            (None, Some(_)) => Mode::Numbered { page: 0, size },
            (None, None) => Mode::Cursor(cursor.filter(|c| !c.is_empty())),
        };
        Plan {
            base: base.to_owned(),
            params,
            mode,
            invalid,
        }
    }

    /// The path of the next page's request.
    fn next_path(&self) -> String {
        let mut params = self.params.clone();
        match &self.mode {
            Mode::Cursor(Some(cursor)) => {
                params.push(format!("{REST_CURSOR_PARAM}={}", encode(cursor)))
            }
            Mode::Cursor(None) => {}
            Mode::Numbered { page, .. } => params.push(format!("{REST_PAGE_PARAM}={page}")),
        }
        if params.is_empty() {
            self.base.clone()
        } else {
            format!("{}?{}", self.base, params.join("&"))
        }
    }
}

impl RestPages {
    pub(crate) fn new(client: Client, request: Request) -> Self {
        let plan = Plan::of(&request.path);
        let mut seen = HashSet::new();
        if let Mode::Cursor(Some(c)) = &plan.mode {
            seen.insert(c.clone());
        }
        RestPages {
            client,
            request,
            plan,
            seen,
            previous: None,
            pages: 0,
            items: 0,
            done: false,
        }
    }

    /// How many pages were fetched so far.
    pub fn pages_fetched(&self) -> usize {
        self.pages
    }

    /// The `data` items of the pages fetched so far.
    pub fn items_fetched(&self) -> u64 {
        self.items
    }

    /// The whole JSON document of the next page (`{"data":[…],"cursor":…,…}`), or `None` after
    /// the last one. After an error the walk is over (`None` from then on).
    pub async fn next_page(&mut self) -> Result<Option<Value>, Error> {
        page_walk::next_page(self).await
    }

    /// Walks all pages and returns the `data` items of every page, in order: what one unpaged
    /// list would have returned.
    pub async fn collect_data(mut self) -> Result<Vec<Value>, Error> {
        let mut items = Vec::new();
        while let Some(page) = self.next_page().await? {
            items.append(&mut take_data(page));
        }
        Ok(items)
    }

    fn parse(&self, response: &Response) -> Result<Value, Error> {
        match serde_json::from_slice::<Value>(response.body()) {
            Ok(page @ Value::Object(_)) => Ok(page),
            Ok(_) => Err(invalid(format!(
                "REST page {} is not a JSON object",
                self.pages
            ))),
            Err(e) => Err(invalid(format!(
                "REST page {} is not JSON: {e}",
                self.pages
            ))),
        }
    }
}

impl Walk for RestPages {
    fn done(&mut self) -> &mut bool {
        &mut self.done
    }

    async fn fetch(&mut self) -> Result<Option<Value>, Error> {
        if let Some(problem) = &self.plan.invalid {
            return Err(Error::new(ErrorKind::InvalidArgument, problem.clone()));
        }
        check_page_limit("REST", self.pages, self.client.max_pages())?;
        let mut request = self.request.clone();
        request.path = self.plan.next_path();
        let response = self.client.send(request).await?;
        self.pages += 1;
        let page = self.parse(&response)?;
        let data = page
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid(format!("REST page {} has no data array", self.pages)))?;
        let count = data.len() as u64;
        self.items += count;
        let more = match &mut self.plan.mode {
            Mode::Cursor(next) => match page.get(REST_CURSOR_PARAM) {
                None | Some(Value::Null) => false,
                Some(Value::String(c)) if c.is_empty() => false,
                Some(Value::String(c)) => {
                    if !self.seen.insert(c.clone()) {
                        return Err(invalid(format!(
                            "REST paging goes round in circles: page {} returned the cursor {} that an earlier page returned",
                            self.pages,
                            quote(c)
                        )));
                    }
                    *next = Some(c.clone());
                    true
                }
                Some(other) => {
                    return Err(invalid(format!(
                        "REST page {} has a cursor that is not a string: {}",
                        self.pages,
                        quote(&other.to_string())
                    )))
                }
            },
            Mode::Numbered { page: number, size } => {
                if page
                    .get(REST_CURSOR_PARAM)
                    .is_some_and(|c| !c.is_null() && c.as_str() != Some(""))
                {
                    return Err(invalid(format!(
                        "REST page {} (page={number}) carries a cursor: this list pages by cursor and ignores page=; drop page= and size= from the path",
                        self.pages
                    )));
                }
                let digest = digest(data);
                if count > 0 && self.previous == Some(digest) {
                    return Err(invalid(format!(
                        "REST page {} (page={number}) has the same items as the page before: the list ignores page=, so counting pages would repeat them",
                        self.pages
                    )));
                }
                self.previous = Some(digest);
                let total = page.get("total").and_then(Value::as_u64);
                let short = size.is_some_and(|s| count < s);
                let complete = total.is_some_and(|t| self.items >= t);
                let more = count > 0 && !short && !complete;
                if let Some(total) = total.filter(|t| !more && self.items < *t) {
                    return Err(invalid(format!(
                        "REST paging ended at page {} (page={number}) with {} of the {total} items its total announces",
                        self.pages, self.items
                    )));
                }
                if more {
                    *number = number.saturating_add(1);
                }
                more
            }
        };
        if !more {
            self.done = true;
        }
        Ok(Some(page))
    }
}

/// The `data` items of a REST page (empty if it has none).
pub fn take_data(page: Value) -> Vec<Value> {
    match page {
        Value::Object(mut o) => match o.remove("data") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn decode(raw: &str) -> String {
    url::form_urlencoded::parse(format!("x={raw}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A digest of a page's `data`, as serialized, to tell a repeated page without keeping it.
fn digest(data: &[Value]) -> u64 {
    struct Digest(DefaultHasher);
    impl io::Write for Digest {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.write(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut d = Digest(DefaultHasher::new());
    // Writing a `Value` into a sink that never fails cannot fail.
    let _ = serde_json::to_writer(&mut d, data);
    d.0.finish()
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidResponse, message)
}

impl Client {
    /// The pages of a paged REST list behind `GET path`, fetched one at a time (see
    /// [`RestPages`] for the rule).
    pub fn rest_pages(&self, path: &str) -> RestPages {
        self.rest_pages_with(Request::get(path))
    }

    /// [`Client::rest_pages`] for a request with its options (headers, deadline, cancel
    /// handle), sent once per page with the paging parameters of its path replaced.
    pub fn rest_pages_with(&self, request: Request) -> RestPages {
        RestPages::new(self.clone(), request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paging_parameters_are_replaced_and_the_others_kept() {
        let p = Plan::of("/x?pageSize=10&cursor=abc%3D&type=Application");
        assert_eq!(
            p.next_path(),
            "/x?pageSize=10&type=Application&cursor=abc%3D"
        );
        assert!(matches!(&p.mode, Mode::Cursor(Some(c)) if c == "abc="));
        let p = Plan::of("/mtm/users?size=50&page=3");
        assert_eq!(p.next_path(), "/mtm/users?size=50&page=3");
        assert!(matches!(
            p.mode,
            Mode::Numbered {
                page: 3,
                size: Some(50)
            }
        ));
        assert_eq!(Plan::of("/x").next_path(), "/x");
        assert_eq!(Plan::of("/x?cursor=").next_path(), "/x");
        assert!(Plan::of("/x?page=two").invalid.unwrap().contains("\"two\""));
    }

    #[test]
    fn data_items_are_taken() {
        assert_eq!(
            take_data(json!({"data": [1, 2], "cursor": null})),
            [json!(1), json!(2)]
        );
        assert!(take_data(json!({"data": {}})).is_empty());
    }
}
