//! Helpers shared by the integration tests: a plain HTTP client and the
//! token exchange done by hand, exactly as the vendor documents it.

#![allow(dead_code)]

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use leanix_sandbox::Sandbox;
use serde_json::Value;

pub const TOKEN_PATH: &str = "/services/mtm/v1/oauth2/token";
pub const FACT_SHEETS_PATH: &str = "/services/pathfinder/v1/factSheets";
pub const GRAPHQL_PATH: &str = "/services/pathfinder/v1/graphql";
/// A well-formed fact sheet id that no sandbox holds.
pub const MISSING_ID: &str = "00000000-0000-4000-8000-000000000000";

/// A client that does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A small sandbox for tests that do not page through the inventory.
pub fn small() -> Sandbox {
    Sandbox::builder().fact_sheets(120).start().unwrap()
}

/// A [`small`] sandbox and an access token of its admin user.
pub async fn small_with_token() -> (Sandbox, String) {
    let sb = small();
    let token = access_token(sb.url(), sb.api_token()).await;
    (sb, token)
}

/// `Basic base64("apitoken:" + token)`.
pub fn basic(api_token: &str) -> String {
    basic_as("apitoken", api_token)
}

/// `Basic base64(user + ":" + password)`.
pub fn basic_as(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

/// POSTs the documented token request form through `http` (a client of the caller's choice),
/// with `authorization` as the Authorization header if given. The result is not unwrapped:
/// some tests expect the connection to fail.
pub async fn post_token_form(
    http: &reqwest::Client,
    url: &str,
    authorization: Option<&str>,
) -> reqwest::Result<reqwest::Response> {
    with_authorization(http.post(format!("{url}{TOKEN_PATH}")), authorization)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
}

/// `req` with `authorization` as its whole Authorization header (any scheme), if given.
pub fn with_authorization(
    req: reqwest::RequestBuilder,
    authorization: Option<&str>,
) -> reqwest::RequestBuilder {
    match authorization {
        Some(authorization) => req.header("Authorization", authorization),
        None => req,
    }
}

/// POSTs the documented token request and returns the raw response.
pub async fn exchange_raw(url: &str, api_token: &str) -> reqwest::Response {
    post_token_form(&client(), url, Some(&basic(api_token)))
        .await
        .unwrap()
}

/// Exchanges `api_token` and returns the access token.
pub async fn access_token(url: &str, api_token: &str) -> String {
    let body = json_body(exchange_raw(url, api_token).await, 200).await;
    body["access_token"].as_str().unwrap().to_owned()
}

/// GET `path` with a bearer token.
pub async fn get(url: &str, path: &str, bearer: &str) -> reqwest::Response {
    request(reqwest::Method::GET, &format!("{url}{path}"), bearer, None).await
}

/// Sends `method` to the full `url` with a bearer token and, if given, a JSON body.
pub async fn request(
    method: reqwest::Method,
    url: &str,
    bearer: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut req = client().request(method, url).bearer_auth(bearer);
    if let Some(body) = body {
        req = req.json(body);
    }
    req.send().await.unwrap()
}

/// Sends `method` to the full `url` with a bearer token and `body` as it is, labelled as JSON:
/// for bodies that are not valid JSON or not the expected shape.
pub async fn request_raw(
    method: reqwest::Method,
    url: &str,
    bearer: &str,
    body: &str,
) -> reqwest::Response {
    client()
        .request(method, url)
        .bearer_auth(bearer)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

/// POST a GraphQL request.
pub async fn graphql(url: &str, bearer: &str, body: &Value) -> reqwest::Response {
    let endpoint = format!("{url}{GRAPHQL_PATH}");
    request(reqwest::Method::POST, &endpoint, bearer, Some(body)).await
}

/// Asserts that `resp` has the HTTP `status` (showing the body if not) and returns its JSON
/// body.
pub async fn json_body(resp: reqwest::Response, status: u16) -> Value {
    let got = resp.status();
    let text = resp.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts the `status` and `type` of a REST envelope (`{"status","type","errors",...}`).
pub fn assert_envelope(body: &Value, status: &str, kind: &str) {
    assert_eq!(
        (&body["status"], &body["type"]),
        (&serde_json::json!(status), &serde_json::json!(kind)),
        "{body}"
    );
}

/// The header `name` of `resp` as text; panics if it is absent or not visible ASCII.
pub fn header<'a>(resp: &'a reqwest::Response, name: &str) -> &'a str {
    resp.headers()[name].to_str().unwrap()
}

/// The header `name` of `resp` as a number (`Content-Length`, `Retry-After` in seconds).
pub fn header_number(resp: &reqwest::Response, name: &str) -> u64 {
    let value = header(resp, name);
    value
        .parse()
        .unwrap_or_else(|e| panic!("{name}: {value:?} is not a number ({e})"))
}

/// GET `path` with a bearer token and parse the JSON body.
pub async fn get_json(url: &str, path: &str, bearer: &str) -> Value {
    get(url, path, bearer).await.json().await.unwrap()
}

/// The first fact sheet of the REST list, `filter` added to its query (such as
/// `&type=Application`).
pub async fn first_fact_sheet(url: &str, bearer: &str, filter: &str) -> Value {
    let page = get_json(
        url,
        &format!("{FACT_SHEETS_PATH}?pageSize=1{filter}"),
        bearer,
    )
    .await;
    page["data"][0].clone()
}

/// A GraphQL query that only counts the fact sheets.
pub const COUNT_QUERY: &str = "{ allFactSheets { totalCount } }";

/// POST a GraphQL request without variables.
pub async fn graphql_query(url: &str, bearer: &str, query: &str) -> reqwest::Response {
    graphql(url, bearer, &serde_json::json!({ "query": query })).await
}

/// POST a GraphQL request and parse the JSON body.
pub async fn graphql_json(url: &str, bearer: &str, body: &Value) -> Value {
    graphql(url, bearer, body).await.json().await.unwrap()
}

/// POST a JSON body to the control API at `/_sandbox/{path}`.
pub async fn control_post(url: &str, path: &str, body: &Value) -> reqwest::Response {
    client()
        .post(format!("{url}/_sandbox/{path}"))
        .json(body)
        .send()
        .await
        .unwrap()
}

/// GET `/_sandbox/{path}` of the control API.
pub async fn control_get(url: &str, path: &str) -> reqwest::Response {
    client()
        .get(format!("{url}/_sandbox/{path}"))
        .send()
        .await
        .unwrap()
}

/// Decodes one base64url JWT part to JSON.
pub fn jwt_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
