//! Fact-sheet writes through GraphQL: patches with LeanIX's JSON-inside-a-string encoding, and
//! an update that survives concurrent edits by re-reading `rev` after a `REVISION_CLASH`.
//!
//! ```
//! use leanix::writes::Patch;
//! let patches = [
//!     Patch::replace("/description", "Billing, EU"),
//!     Patch::lifecycle(&[("active", "2024-01-01")]),
//!     Patch::tags_by_name(leanix::writes::PatchOp::Add, &["critical"]),
//! ];
//! assert_eq!(patches[1].value(), Some(r#"{"phases":[{"phase":"active","startDate":"2024-01-01"}]}"#));
//! ```

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::call_limits::call_limit_setters;
use crate::cancel::Cancel;
use crate::error::{quote, Error, ErrorKind};
use crate::graphql::GraphQlRequest;
use crate::policy;
use crate::Client;

/// What a patch does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOp {
    /// Adds a value (to a list: adds items).
    Add,
    /// Sets a value.
    Replace,
    /// Removes a value (from a list: the items given, or all).
    Remove,
}

impl PatchOp {
    /// LeanIX's name: `add`, `replace` or `remove`.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchOp::Add => "add",
            PatchOp::Replace => "replace",
            PatchOp::Remove => "remove",
        }
    }

    fn parse(name: &str) -> Option<PatchOp> {
        match name {
            "add" => Some(PatchOp::Add),
            "replace" => Some(PatchOp::Replace),
            "remove" => Some(PatchOp::Remove),
            _ => None,
        }
    }
}

/// One patch of a fact-sheet write: `{op, path, value}`, the value always a string (complex
/// values are JSON inside the string, as LeanIX wants them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    op: PatchOp,
    path: String,
    value: Option<String>,
}

impl Patch {
    /// A patch with a plain string value.
    pub fn new(op: PatchOp, path: impl Into<String>, value: impl Into<String>) -> Patch {
        Patch {
            op,
            path: path.into(),
            value: Some(value.into()),
        }
    }

    /// `replace` with a plain string value (`/name`, `/description`, `/status`, ...).
    pub fn replace(path: impl Into<String>, value: impl Into<String>) -> Patch {
        Patch::new(PatchOp::Replace, path, value)
    }

    /// `add` with a plain string value.
    pub fn add(path: impl Into<String>, value: impl Into<String>) -> Patch {
        Patch::new(PatchOp::Add, path, value)
    }

    /// `remove` without a value.
    pub fn remove(path: impl Into<String>) -> Patch {
        Patch {
            op: PatchOp::Remove,
            path: path.into(),
            value: None,
        }
    }

    /// A patch whose value is a JSON object or list, sent as JSON inside a string; a string
    /// value is sent as it is.
    pub fn json(op: PatchOp, path: impl Into<String>, value: &Value) -> Patch {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Patch::new(op, path, text)
    }

    /// `replace /lifecycle` with these `(phase, startDate)` pairs, e.g.
    /// `[("plan", "2023-01-01"), ("active", "2024-01-01")]`.
    pub fn lifecycle(phases: &[(&str, &str)]) -> Patch {
        let phases: Vec<Value> = phases
            .iter()
            .map(|(phase, date)| json!({"phase": phase, "startDate": date}))
            .collect();
        Patch::json(PatchOp::Replace, "/lifecycle", &json!({ "phases": phases }))
    }

    /// A patch of `/tags` naming tags by name (`add` adds them, `replace` sets them, `remove`
    /// removes them).
    pub fn tags_by_name(op: PatchOp, names: &[&str]) -> Patch {
        let tags: Vec<Value> = names.iter().map(|n| json!({ "tagName": n })).collect();
        Patch::json(op, "/tags", &Value::Array(tags))
    }

    /// `replace /externalId` with this external id.
    pub fn external_id(id: &str) -> Patch {
        Patch::json(
            PatchOp::Replace,
            "/externalId",
            &json!({ "externalId": id }),
        )
    }

    /// `replace /status ARCHIVED`: archives the fact sheet (LeanIX wants a comment with it,
    /// see [`UpdateOptions::comment`]).
    pub fn archive() -> Patch {
        Patch::replace("/status", "ARCHIVED")
    }

    /// A patch from its JSON form `{op, path, value}`; a `value` that is not a string is
    /// encoded as JSON inside a string (what [`Patch::json`] does).
    pub fn from_json(patch: &Value) -> Result<Patch, Error> {
        let bad = |what: String| Error::new(ErrorKind::InvalidArgument, what);
        let op = patch.get("op").and_then(Value::as_str).unwrap_or("");
        let op = PatchOp::parse(op).ok_or_else(|| {
            bad(format!(
                "a patch needs \"op\" add, replace or remove, not {}",
                quote(op)
            ))
        })?;
        let path = patch
            .get("path")
            .and_then(Value::as_str)
            .filter(|p| p.starts_with('/'))
            .ok_or_else(|| bad("a patch needs a \"path\" starting with '/'".into()))?;
        Ok(match patch.get("value") {
            None | Some(Value::Null) => Patch {
                op,
                path: path.to_owned(),
                value: None,
            },
            Some(value) => Patch::json(op, path, value),
        })
    }

    /// The patches of a JSON list of `{op, path, value}` objects (see [`Patch::from_json`]).
    pub fn list_from_json(patches: &Value) -> Result<Vec<Patch>, Error> {
        match patches {
            Value::Array(items) => items.iter().map(Patch::from_json).collect(),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                "patches must be a JSON list of {op, path, value} objects",
            )),
        }
    }

    /// The operation.
    pub fn op(&self) -> PatchOp {
        self.op
    }

    /// The path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The value as sent (JSON inside a string for complex values).
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// The patch as the GraphQL `Patch` input: `{op, path, value}`.
    pub fn to_json(&self) -> Value {
        let mut p = json!({"op": self.op.as_str(), "path": self.path});
        if let Some(v) = &self.value {
            p["value"] = Value::String(v.clone());
        }
        p
    }
}

/// The fields of the fact sheet a write answers with, unless [`UpdateOptions::selection`]
/// says otherwise.
pub const DEFAULT_FACT_SHEET_SELECTION: &str = "id rev type name displayName description status";

/// How to write a fact sheet.
#[derive(Debug, Clone)]
#[must_use]
pub struct UpdateOptions {
    comment: Option<String>,
    validate_only: bool,
    rev: Option<u64>,
    clash_retries: u32,
    timeout: Option<Duration>,
    cancel: Option<Cancel>,
    selection: String,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            comment: None,
            validate_only: false,
            rev: None,
            clash_retries: policy::DEFAULT_REVISION_CLASH_RETRIES,
            timeout: None,
            cancel: None,
            selection: DEFAULT_FACT_SHEET_SELECTION.to_owned(),
        }
    }
}

impl UpdateOptions {
    /// The defaults: `rev` read first, [`policy::DEFAULT_REVISION_CLASH_RETRIES`] retries.
    pub fn new() -> UpdateOptions {
        UpdateOptions::default()
    }

    /// The comment of the change (LeanIX requires one to archive).
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Asks what the write would give without storing it.
    pub fn validate_only(mut self, yes: bool) -> Self {
        self.validate_only = yes;
        self
    }

    /// The revision the patches are based on, instead of reading it first. A clash still
    /// re-reads it.
    pub fn rev(mut self, rev: u64) -> Self {
        self.rev = Some(rev);
        self
    }

    /// How often a `REVISION_CLASH` is retried after re-reading `rev` (default
    /// [`policy::DEFAULT_REVISION_CLASH_RETRIES`], at most the end of
    /// [`policy::REVISION_CLASH_RETRIES_RANGE`]; 0: never).
    pub fn clash_retries(mut self, retries: u32) -> Self {
        self.clash_retries = retries.min(*policy::REVISION_CLASH_RETRIES_RANGE.end());
        self
    }

    call_limit_setters! {
        /// The deadline of the whole write, reads and retries included (default: the client's
        /// request timeout).
        timeout;
        /// Ends the write with [`ErrorKind::Cancelled`] when `cancel` fires.
        cancel_on;
    }

    /// The GraphQL selection of the fact sheet in the answer (default
    /// [`DEFAULT_FACT_SHEET_SELECTION`]).
    pub fn selection(mut self, selection: impl Into<String>) -> Self {
        self.selection = selection.into();
        self
    }
}

/// True for a GraphQL error whose `errors` name `REVISION_CLASH` (`extensions.errorType`).
pub fn is_revision_clash(error: &Error) -> bool {
    error.kind() == ErrorKind::GraphQl
        && error
            .graphql_errors()
            .and_then(Value::as_array)
            .is_some_and(|errors| {
                errors.iter().any(|e| {
                    e.pointer("/extensions/errorType").and_then(Value::as_str)
                        == Some("REVISION_CLASH")
                })
            })
}

const READ_REV: &str = "query($id: ID!) { factSheet(id: $id) { rev } }";

impl Client {
    /// Applies `patches` to the fact sheet `id` with `updateFactSheet` and returns the
    /// written fact sheet (the options' selection).
    ///
    /// The `rev` is read first (one GraphQL query) unless the options give one. When the
    /// write fails with `REVISION_CLASH` (someone else saved the fact sheet in between),
    /// `rev` is read again, exactly once per clash, and the write retried, at most
    /// [`UpdateOptions::clash_retries`] times; the clash after the last is returned as the
    /// [`ErrorKind::GraphQl`] error it is. Other GraphQL errors (a viewer's refusal, a bad
    /// patch) are returned at once. An empty `id` or an empty list of patches is an
    /// [`ErrorKind::InvalidArgument`] error, with nothing sent.
    pub async fn update_fact_sheet(
        &self,
        id: &str,
        patches: &[Patch],
        options: UpdateOptions,
    ) -> Result<Value, Error> {
        if id.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "update_fact_sheet needs the id of the fact sheet to change",
            ));
        }
        if patches.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "update_fact_sheet needs at least one patch (the list is empty)",
            ));
        }
        let deadline = self.write_deadline(&options);
        let mut rev = match options.rev {
            Some(rev) => rev,
            None => self.read_rev(id, &options, deadline).await?,
        };
        let document = format!(
            "mutation($id: ID!, $rev: Long, $patches: [Patch]!, $comment: String, $validateOnly: Boolean) {{ updateFactSheet(id: $id, rev: $rev, patches: $patches, comment: $comment, validateOnly: $validateOnly) {{ factSheet {{ {} }} }} }}",
            options.selection
        );
        let mut clashes = 0;
        loop {
            let variables = json!({
                "id": id,
                "rev": rev,
                "patches": patches.iter().map(Patch::to_json).collect::<Vec<_>>(),
                "comment": options.comment,
                "validateOnly": options.validate_only,
            });
            let request = self.bounded(GraphQlRequest::new(&document), &options, deadline)?;
            match self.graphql_with(&request.variables(variables)).await {
                Ok(data) => return fact_sheet_of(data, "updateFactSheet"),
                Err(e) if is_revision_clash(&e) && clashes < options.clash_retries => {
                    clashes += 1;
                    rev = self.read_rev(id, &options, deadline).await?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Creates a fact sheet of `fact_sheet_type` named `name`, with `patches` applied, and
    /// returns it (the options' selection; `comment`, `validate_only`, deadline and cancel
    /// apply, `rev` and the clash retries do not).
    pub async fn create_fact_sheet(
        &self,
        fact_sheet_type: &str,
        name: &str,
        patches: &[Patch],
        options: UpdateOptions,
    ) -> Result<Value, Error> {
        let deadline = self.write_deadline(&options);
        let document = format!(
            "mutation($input: BaseFactSheetInput!, $patches: [Patch], $validateOnly: Boolean) {{ createFactSheet(input: $input, patches: $patches, validateOnly: $validateOnly) {{ factSheet {{ {} }} }} }}",
            options.selection
        );
        let variables = json!({
            "input": {"name": name, "type": fact_sheet_type},
            "patches": patches.iter().map(Patch::to_json).collect::<Vec<_>>(),
            "validateOnly": options.validate_only,
        });
        let request = self.bounded(GraphQlRequest::new(document), &options, deadline)?;
        let data = self.graphql_with(&request.variables(variables)).await?;
        fact_sheet_of(data, "createFactSheet")
    }

    fn write_deadline(&self, options: &UpdateOptions) -> (Instant, Duration) {
        let budget = options.timeout.unwrap_or(self.request_timeout());
        (self.clock().now() + budget, budget)
    }

    fn bounded(
        &self,
        request: GraphQlRequest,
        options: &UpdateOptions,
        (deadline, budget): (Instant, Duration),
    ) -> Result<GraphQlRequest, Error> {
        let left = deadline.saturating_duration_since(self.clock().now());
        if left.is_zero() {
            return Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "the fact-sheet write did not complete within its deadline of {} ms",
                    budget.as_millis()
                ),
            ));
        }
        let request = request.timeout(left);
        Ok(match &options.cancel {
            Some(c) => request.cancel_on(c),
            None => request,
        })
    }

    async fn read_rev(
        &self,
        id: &str,
        options: &UpdateOptions,
        deadline: (Instant, Duration),
    ) -> Result<u64, Error> {
        let request = self
            .bounded(GraphQlRequest::new(READ_REV), options, deadline)?
            .variables(json!({ "id": id }));
        let data = self.graphql_with(&request).await?;
        let rev = data.pointer("/factSheet/rev");
        rev.and_then(|r| r.as_u64().or_else(|| r.as_str()?.parse().ok()))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidResponse,
                    format!("the fact sheet {} has no rev in its answer", quote(id)),
                )
            })
    }
}

fn fact_sheet_of(mut data: Value, field: &str) -> Result<Value, Error> {
    match data.get_mut(field).and_then(|r| r.get_mut("factSheet")) {
        Some(fs) if fs.is_object() => Ok(fs.take()),
        _ => Err(Error::new(
            ErrorKind::InvalidResponse,
            format!("the answer of {field} has no factSheet"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complex_values_are_json_inside_a_string() {
        let p = Patch::tags_by_name(PatchOp::Remove, &["a\"b"]);
        assert_eq!(
            p.to_json(),
            json!({"op": "remove", "path": "/tags", "value": r#"[{"tagName":"a\"b"}]"#})
        );
        let from = Patch::from_json(&json!({"op": "replace", "path": "/lifecycle",
            "value": {"phases": [{"phase": "active", "startDate": "2024-01-01"}]}}))
        .unwrap();
        assert_eq!(from, Patch::lifecycle(&[("active", "2024-01-01")]));
        assert_eq!(
            Patch::remove("/alias").to_json(),
            json!({"op": "remove", "path": "/alias"})
        );
        assert_eq!(
            Patch::external_id("x-1").value(),
            Some(r#"{"externalId":"x-1"}"#)
        );
    }

    #[test]
    fn bad_patches_are_named() {
        let e = Patch::from_json(&json!({"op": "set", "path": "/name"})).unwrap_err();
        assert_eq!(
            e.message(),
            "a patch needs \"op\" add, replace or remove, not \"set\""
        );
        let e = Patch::from_json(&json!({"op": "add", "path": "name"})).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(Patch::list_from_json(&json!({"op": "add"})).is_err());
    }
}
