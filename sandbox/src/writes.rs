//! Fact sheet writes, shared by the GraphQL mutations, Pathfinder REST and
//! the Integration API: creation, JSON-patch style updates with revision
//! checks, and archiving.
//!
//! A patch is `{op: add|replace|remove, path, value}` as in
//! `updateFactSheet(patches:)`. Values are strings; complex ones (`/lifecycle`,
//! `/tags`, `/externalId`) are JSON inside the string, as LeanIX expects them.
//! Every write bumps `rev` by one; an update that names a `rev` other than
//! the stored one is refused with `REVISION_CLASH`.

use http::StatusCode;
use serde_json::{json, Map, Value};

use crate::clock;
use crate::faults::Fault;
use crate::graphql::field_defined;
use crate::ids;
use crate::model;
use crate::seed::{self, PHASES};
use crate::state::State;
use crate::users::Role;
use crate::webhooks;

/// Why a write was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WriteError {
    /// The caller's role may not write.
    Forbidden(Role),
    /// No fact sheet with this id.
    NotFound(String),
    /// The given revision is not the stored one.
    Clash {
        /// The stored revision.
        current: u64,
        /// The revision the write named.
        given: u64,
    },
    /// A patch or input that cannot be applied.
    Invalid(String),
}

impl WriteError {
    /// The GraphQL `extensions.errorType`.
    pub(crate) fn error_type(&self) -> &'static str {
        match self {
            WriteError::Forbidden(_) => "AUTHORIZATION",
            WriteError::NotFound(_) => "NOT_FOUND",
            WriteError::Clash { .. } => "REVISION_CLASH",
            WriteError::Invalid(_) => "VALIDATION",
        }
    }

    /// The REST status.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            WriteError::Forbidden(_) => StatusCode::FORBIDDEN,
            WriteError::NotFound(_) => StatusCode::NOT_FOUND,
            WriteError::Clash { .. } => StatusCode::CONFLICT,
            WriteError::Invalid(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// The message, in the vendor's wording where it is known.
    pub(crate) fn message(&self) -> String {
        match self {
            WriteError::Forbidden(role) => {
                format!("Access denied: role {role} may not change fact sheets")
            }
            WriteError::NotFound(id) => {
                format!("Fact sheet with id '{}' not found", id.escape_debug())
            }
            WriteError::Clash { current, given } => {
                format!("DB revision of Fact Sheet has changed: {current} instead of given {given}")
            }
            WriteError::Invalid(message) => message.clone(),
        }
    }
}

fn invalid<T>(message: impl Into<String>) -> Result<T, WriteError> {
    Err(WriteError::Invalid(message.into()))
}

/// Refuses writes to roles that may not write.
pub(crate) fn authorize(role: Role) -> Result<(), WriteError> {
    if role.can_write() {
        Ok(())
    } else {
        Err(WriteError::Forbidden(role))
    }
}

/// What a patch does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Add to a field (tags: add these).
    Add,
    /// Set a field.
    Replace,
    /// Clear a field (tags: remove these, or all).
    Remove,
}

/// One patch of `updateFactSheet`.
#[derive(Debug, Clone)]
pub(crate) struct Patch {
    pub op: Op,
    pub path: String,
    pub value: Value,
}

impl Patch {
    /// A `replace` of `path` (for REST and LDIF writes).
    pub(crate) fn replace(path: &str, value: impl Into<Value>) -> Patch {
        Patch {
            op: Op::Replace,
            path: path.to_owned(),
            value: value.into(),
        }
    }
}

/// Reads a GraphQL `patches` argument: `[{op, path, value}]` (or null).
pub(crate) fn patches(list: &Value) -> Result<Vec<Patch>, WriteError> {
    let items = match list {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        _ => return invalid("'patches' must be a list of {op, path, value}"),
    };
    items
        .iter()
        .map(|p| {
            let op = match p["op"].as_str() {
                Some("add") => Op::Add,
                Some("replace") => Op::Replace,
                Some("remove") => Op::Remove,
                other => return invalid(format!("Invalid patch operation {other:?}")),
            };
            let Some(path) = p["path"].as_str().filter(|p| p.starts_with('/')) else {
                return invalid("A patch needs a 'path' starting with '/'");
            };
            let value = p.get("value").cloned().unwrap_or(Value::Null);
            Ok(Patch {
                op,
                path: path.to_owned(),
                value,
            })
        })
        .collect()
}

/// Creates a fact sheet of type `fs_type` named `name`, then applies `patches`.
/// With `validate_only` nothing is stored.
pub(crate) fn create(
    state: &State,
    fs_type: &str,
    name: &str,
    patches: &[Patch],
    validate_only: bool,
) -> Result<Value, WriteError> {
    let Some(fs_type) = model::canonical_type(fs_type) else {
        return invalid(format!(
            "Fact sheet type '{}' does not exist; it must be one of {}",
            fs_type.escape_debug(),
            model::TYPES.join(", ")
        ));
    };
    let now = clock::iso_timestamp(clock::now_ms());
    let mut fs = json!({
        "id": ids::random_uuid(), "type": fs_type, "name": "", "displayName": "",
        "fullName": "", "description": "", "level": 1, "status": "ACTIVE", "tags": [],
        "qualitySeal": "DISABLED", "completion": {"completion": 0.0, "percentage": 0},
        "rev": 1, "createdAt": now, "updatedAt": now,
    });
    let map = fs.as_object_mut().expect("an object");
    apply(map, &Patch::replace("/name", name), None)?;
    for patch in patches {
        apply(map, patch, None)?;
    }
    if !validate_only {
        state.store.insert(fs_type, fs.clone());
        state.counters.write();
        webhooks::fact_sheet_event(state, "FACT_SHEET_CREATED", &fs);
    }
    Ok(fs)
}

/// Applies `patches` to the fact sheet `id`, checking `rev` when given.
/// With `validate_only` nothing is stored (and `rev` stays).
pub(crate) fn update(
    state: &State,
    id: &str,
    rev: Option<u64>,
    patches: &[Patch],
    comment: Option<&str>,
    validate_only: bool,
) -> Result<Value, WriteError> {
    let was_archived = std::cell::Cell::new(false);
    let change = |current: &Value| {
        was_archived.set(current["status"] == "ARCHIVED");
        let stored = current["rev"].as_u64().unwrap_or(0);
        match rev {
            Some(given) if given != stored => {
                return Err(WriteError::Clash {
                    current: stored,
                    given,
                })
            }
            _ => {}
        }
        let mut next = current.clone();
        let map = next.as_object_mut().expect("fact sheets are objects");
        for patch in patches {
            apply(map, patch, comment)?;
        }
        if !validate_only {
            map.insert("rev".into(), (stored + 1).into());
            let now = clock::iso_timestamp(clock::now_ms());
            map.insert("updatedAt".into(), now.into());
        }
        Ok(next)
    };
    let not_found = || WriteError::NotFound(id.to_owned());
    if rev.is_some() && !validate_only && state.faults.take_counted(&Fault::ConcurrentEdit) {
        // Someone else saved the fact sheet a moment ago.
        state.store.update(id, |current| {
            let mut next = current.clone();
            next["rev"] = (current["rev"].as_u64().unwrap_or(0) + 1).into();
            Ok::<_, WriteError>(next)
        });
    }
    if validate_only {
        return change(&state.store.get(id).ok_or_else(not_found)?.value);
    }
    let stored = state.store.update(id, change).ok_or_else(not_found)??;
    state.counters.write();
    let archived = stored.value["status"] == "ARCHIVED";
    // Recovering from the archive counts as a creation, as at the vendor.
    let kind = match (was_archived.get(), archived) {
        (false, true) => "FACT_SHEET_ARCHIVED",
        (true, false) => "FACT_SHEET_CREATED",
        _ => "FACT_SHEET_UPDATED",
    };
    webhooks::fact_sheet_event(state, kind, &stored.value);
    Ok(stored.value.clone())
}

/// Applies one patch to a fact sheet's JSON.
fn apply(fs: &mut Map<String, Value>, p: &Patch, comment: Option<&str>) -> Result<(), WriteError> {
    let fs_type = fs["type"].as_str().unwrap_or_default().to_owned();
    let (field, rest) = match p.path[1..].split_once('/') {
        Some((field, rest)) => (field, Some(rest)),
        None => (&p.path[1..], None),
    };
    const WRITABLE: [&str; 13] = [
        "name",
        "description",
        "release",
        "alias",
        "status",
        "lifecycle",
        "tags",
        "externalId",
        "lxState",
        "businessCriticality",
        "functionalSuitability",
        "technicalSuitability",
        "category",
    ];
    if !WRITABLE.contains(&field)
        || !field_defined(&fs_type, field)
        || (rest.is_some() && field != "lifecycle")
    {
        return invalid(format!(
            "Field path '{}' does not exist for fact sheets of type {fs_type}",
            p.path.escape_debug()
        ));
    }
    let text = || match &p.value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => invalid(format!(
            "The value of the patch of '{}' must be a string",
            p.path
        )),
    };
    let before = own_name(fs);
    match (field, p.op) {
        ("name" | "status", Op::Remove) => {
            return invalid(format!("Field '{field}' cannot be removed"))
        }
        ("description", Op::Remove) => _ = fs.insert(field.into(), "".into()),
        ("lifecycle", Op::Remove) if rest.is_none() => _ = fs.remove(field),
        (_, Op::Remove) if field != "tags" && field != "lifecycle" => _ = fs.remove(field),
        ("name", _) => {
            let name = text()?;
            if name.trim().is_empty() {
                return invalid("The name of a fact sheet must not be empty");
            }
            fs.insert(field.into(), name.trim().into());
        }
        ("status", _) => match text()?.as_str() {
            "ACTIVE" => _ = fs.insert(field.into(), "ACTIVE".into()),
            "ARCHIVED" if comment.is_some_and(|c| !c.trim().is_empty()) => {
                fs.insert(field.into(), "ARCHIVED".into());
            }
            "ARCHIVED" => return invalid("Archiving a fact sheet requires a comment"),
            other => return invalid(format!("Invalid status '{}'", other.escape_debug())),
        },
        ("lifecycle", op) => lifecycle(fs, rest, op, &p.value)?,
        ("tags", op) => tags(fs, op, &p.value)?,
        ("externalId", _) => {
            let raw = text()?;
            let id = match serde_json::from_str::<Value>(&raw) {
                Ok(Value::Object(o)) => o
                    .get("externalId")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                _ => Some(raw),
            };
            let Some(id) = id.filter(|id| !id.is_empty()) else {
                return invalid("An external id needs a non-empty 'externalId'");
            };
            fs.insert(
                field.into(),
                json!({"externalId": id, "type": "ExternalId"}),
            );
        }
        // An empty value clears an optional field (a release of "" would end up in the name).
        (_, _) => match text()? {
            empty if empty.trim().is_empty() && field != "description" => _ = fs.remove(field),
            value => _ = fs.insert(field.into(), value.into()),
        },
    }
    // displayName and fullName end with the own name (name and release).
    let after = own_name(fs);
    for key in ["displayName", "fullName"] {
        let current = fs[key].as_str().unwrap_or_default();
        let prefix = current
            .strip_suffix(before.as_str())
            .unwrap_or("")
            .to_owned();
        fs.insert(key.into(), format!("{prefix}{after}").into());
    }
    Ok(())
}

/// `name`, or `name release`.
fn own_name(fs: &Map<String, Value>) -> String {
    let name = fs["name"].as_str().unwrap_or_default();
    match fs.get("release").and_then(Value::as_str) {
        Some(release) => format!("{name} {release}"),
        None => name.to_owned(),
    }
}

/// `/lifecycle` (value `{"phases":[{"phase","startDate"}]}`) or
/// `/lifecycle/<phase>` (value a `YYYY-MM-DD` date).
fn lifecycle(
    fs: &mut Map<String, Value>,
    phase: Option<&str>,
    op: Op,
    value: &Value,
) -> Result<(), WriteError> {
    let mut phases: Vec<(String, String)> = fs
        .get("lifecycle")
        .and_then(|l| l["phases"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p["phase"].as_str()?.to_owned(),
                p["startDate"].as_str()?.to_owned(),
            ))
        })
        .collect();
    let parse = |phase: &Value| -> Result<(String, String), WriteError> {
        let name = phase["phase"].as_str().unwrap_or_default();
        let date = phase["startDate"].as_str().unwrap_or_default();
        if !PHASES.contains(&name) || !is_date(date) {
            return invalid(format!(
                "Invalid lifecycle phase {phase}; phases are {}",
                PHASES.join(", ")
            ));
        }
        Ok((name.to_owned(), date.to_owned()))
    };
    match phase {
        None => {
            let given = json_in_string(value)?;
            let list = given["phases"].as_array().ok_or(WriteError::Invalid(
                "A lifecycle is {\"phases\":[{\"phase\":..,\"startDate\":..}]}".into(),
            ))?;
            phases = list.iter().map(parse).collect::<Result<_, _>>()?;
        }
        Some(name) => {
            phases.retain(|(p, _)| p != name);
            if op != Op::Remove {
                phases.push(parse(&json!({"phase": name, "startDate": value}))?);
            }
        }
    }
    phases.sort_by_key(|(p, _)| PHASES.iter().position(|x| x == p));
    let today = clock::date((clock::now_ms() / 86_400_000) as i64);
    let current = phases
        .iter()
        .rev()
        .find(|(_, d)| *d <= today)
        .or(phases.first());
    let lifecycle = json!({
        "asString": current.map(|(p, _)| p.as_str()),
        "phases": phases.iter().map(|(p, d)| json!({"phase": p, "startDate": d})).collect::<Vec<_>>(),
    });
    fs.insert("lifecycle".into(), lifecycle);
    Ok(())
}

fn is_date(s: &str) -> bool {
    let mut parts = s.split('-').map(str::parse::<u8>);
    let year = s.get(..4).and_then(|y| y.parse::<i32>().ok());
    match (year, s.len(), parts.nth(1), parts.next()) {
        (Some(y), 10, Some(Ok(m)), Some(Ok(d))) => time::Month::try_from(m)
            .ok()
            .is_some_and(|m| time::Date::from_calendar_date(y, m, d).is_ok()),
        _ => false,
    }
}

/// `/tags` with `[{"tagId":..}]` or `[{"tagName":..}]` inside the string.
fn tags(fs: &mut Map<String, Value>, op: Op, value: &Value) -> Result<(), WriteError> {
    let catalogue: Vec<Value> = seed::tags().iter().map(|t| json!(t)).collect();
    let given = match (op, value) {
        (Op::Remove, Value::Null) => Value::Array(Vec::new()),
        _ => json_in_string(value)?,
    };
    let wanted: Vec<Value> = given
        .as_array()
        .ok_or(WriteError::Invalid(
            "Tags are a list of {\"tagId\"} or {\"tagName\"}".into(),
        ))?
        .iter()
        .map(|t| {
            let found = catalogue.iter().find(|c| {
                (t["tagId"].is_string() && t["tagId"] == c["id"])
                    || (t["tagName"].is_string() && t["tagName"] == c["name"])
            });
            found
                .cloned()
                .ok_or(WriteError::Invalid(format!("Tag {t} does not exist")))
        })
        .collect::<Result<_, _>>()?;
    let mut current: Vec<Value> = fs["tags"].as_array().cloned().unwrap_or_default();
    match op {
        Op::Replace => current = wanted,
        Op::Add => current.extend(
            wanted
                .into_iter()
                .filter(|w| !current.iter().any(|c| c["id"] == w["id"]))
                .collect::<Vec<_>>(),
        ),
        Op::Remove if value.is_null() || wanted.is_empty() => current.clear(),
        Op::Remove => current.retain(|c| !wanted.iter().any(|w| w["id"] == c["id"])),
    }
    fs.insert("tags".into(), current.into());
    Ok(())
}

/// A complex patch value: JSON inside a string (or, leniently, JSON already).
fn json_in_string(value: &Value) -> Result<Value, WriteError> {
    match value {
        Value::String(s) => serde_json::from_str(s)
            .map_err(|e| WriteError::Invalid(format!("The patch value is not valid JSON: {e}"))),
        Value::Null => invalid("The patch needs a value"),
        other => Ok(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fs() -> Map<String, Value> {
        let v = json!({"type": "Application", "name": "CRM", "release": "2.0", "displayName": "Sales / CRM 2.0",
                       "fullName": "Sales / CRM 2.0", "status": "ACTIVE", "tags": [], "description": "x"});
        v.as_object().unwrap().clone()
    }

    fn patch(op: Op, path: &str, value: Value) -> Patch {
        Patch {
            op,
            path: path.into(),
            value,
        }
    }

    #[test]
    fn patches_set_fields_and_keep_names_consistent() {
        let mut f = fs();
        apply(&mut f, &Patch::replace("/name", "ERP"), None).unwrap();
        assert_eq!(
            (&f["displayName"], &f["fullName"]),
            (&json!("Sales / ERP 2.0"), &json!("Sales / ERP 2.0"))
        );
        apply(&mut f, &patch(Op::Remove, "/release", Value::Null), None).unwrap();
        assert_eq!(f["displayName"], "Sales / ERP");
        apply(
            &mut f,
            &patch(Op::Remove, "/description", Value::Null),
            None,
        )
        .unwrap();
        assert_eq!(f["description"], "");
        let lifecycle = r#"{"phases":[{"phase":"active","startDate":"2020-01-01"},{"phase":"plan","startDate":"2019-02-28"}]}"#;
        apply(&mut f, &Patch::replace("/lifecycle", lifecycle), None).unwrap();
        assert_eq!(f["lifecycle"]["asString"], "active");
        assert_eq!(f["lifecycle"]["phases"][0]["phase"], "plan");
        apply(
            &mut f,
            &Patch::replace("/lifecycle/endOfLife", "2000-01-01"),
            None,
        )
        .unwrap();
        assert_eq!(f["lifecycle"]["asString"], "endOfLife");
        apply(
            &mut f,
            &Patch::replace("/externalId", r#"{"externalId":"ext-1"}"#),
            None,
        )
        .unwrap();
        assert_eq!(
            f["externalId"],
            json!({"externalId": "ext-1", "type": "ExternalId"})
        );
    }

    #[test]
    fn bad_patches_are_refused() {
        let mut f = fs();
        for (p, comment) in [
            (Patch::replace("/status", "ARCHIVED"), None),
            (patch(Op::Remove, "/name", Value::Null), None),
            (Patch::replace("/name", " "), None),
            (Patch::replace("/nope", "x"), None),
            (Patch::replace("/category", "x"), None),
            (Patch::replace("/lifecycle", "{not json"), None),
            (Patch::replace("/lifecycle/active", "2020-02-30"), None),
            (Patch::replace("/tags", r#"[{"tagName":"Nope"}]"#), None),
        ] {
            assert!(
                matches!(apply(&mut f, &p, comment), Err(WriteError::Invalid(_))),
                "{p:?}"
            );
        }
        apply(&mut f, &Patch::replace("/status", "ARCHIVED"), Some("gone")).unwrap();
        assert_eq!(f["status"], "ARCHIVED");
    }

    #[test]
    fn tags_are_added_replaced_and_removed() {
        let mut f = fs();
        apply(
            &mut f,
            &patch(
                Op::Add,
                "/tags",
                json!(r#"[{"tagName":"SaaS"},{"tagName":"GDPR"}]"#),
            ),
            None,
        )
        .unwrap();
        apply(
            &mut f,
            &patch(Op::Add, "/tags", json!(r#"[{"tagName":"SaaS"}]"#)),
            None,
        )
        .unwrap();
        assert_eq!(f["tags"].as_array().unwrap().len(), 2);
        let id = f["tags"][0]["id"].clone();
        apply(
            &mut f,
            &patch(Op::Remove, "/tags", json!(format!(r#"[{{"tagId":{id}}}]"#))),
            None,
        )
        .unwrap();
        assert_eq!(f["tags"][0]["name"], "GDPR");
        apply(&mut f, &patch(Op::Remove, "/tags", Value::Null), None).unwrap();
        assert_eq!(f["tags"], json!([]));
    }
}
