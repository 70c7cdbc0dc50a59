//! LDIF (LeanIX Data Interchange Format) checks and the processor subset
//! that applies it to the inventory.
//!
//! Inbound, `inboundFactSheet` processors create or update fact sheets by
//! external id: `type` (the fact sheet type), `filter.exactType` (which
//! content they take), `identifier.external.id.expr` and `updates` of
//! `name`, `description`, `release` and `alias`, with `${content.id}`,
//! `${content.type}` and `${data.key}` expressions. Without a processor
//! configuration, [`default_inbound`] applies. Outbound, `outboundFactSheet`
//! processors (`filter.type`, `fields`) write the stored fact sheets into
//! the results LDIF. Content that cannot be mapped becomes a warning.

use serde_json::{json, Value};

use crate::model;
use crate::state::State;
use crate::store::Filter;
use crate::writes::{self, Patch};

/// Longest header string LeanIX accepts.
const MAX_HEADER: usize = 500;

/// What processing an LDIF produced.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// `{processor{name,index}, content, message, detail, category, status}`.
    pub warnings: Vec<Value>,
    /// The output LDIF (outbound runs).
    pub results: Option<Value>,
    /// Content items applied: taken by a processor and mapped without a warning (inbound), or
    /// written to the results (outbound).
    pub processed: usize,
    /// Content items: those of the LDIF (inbound), those of the results (outbound).
    pub contents: usize,
    /// Fact sheets created or changed (or that would be, in a test run).
    pub changes: usize,
    /// Inbound: content items some processor's filter took (applied or not); outbound: fact
    /// sheets in scope.
    pub in_scope: usize,
    /// Processors that ran.
    pub processors: usize,
}

impl Outcome {
    /// A run failed by [`Fault::SyncRunFail`](crate::Fault::SyncRunFail).
    pub(crate) fn failed() -> Outcome {
        let message = "The synchronization run failed (a fault injected by the sandbox)";
        Outcome {
            warnings: vec![warning(("sandbox", 0), None, "ERROR", "run", message, "")],
            ..Outcome::default()
        }
    }

    /// How many warnings are errors.
    pub(crate) fn errors(&self) -> usize {
        self.warnings
            .iter()
            .filter(|w| w["status"] == "ERROR")
            .count()
    }
}

/// Checks the LDIF header; every problem found.
pub(crate) fn check(ldif: &Value) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    if !ldif.is_object() {
        return Err(vec!["The LDIF must be a JSON object".into()]);
    }
    for key in [
        "connectorType",
        "connectorId",
        "connectorVersion",
        "lxVersion",
    ] {
        match ldif[key].as_str() {
            Some(s) if !s.is_empty() => {}
            _ => errors.push(format!("'{key}' is required")),
        }
    }
    for key in [
        "connectorType",
        "connectorId",
        "connectorVersion",
        "lxVersion",
        "description",
    ] {
        if ldif[key]
            .as_str()
            .is_some_and(|s| s.chars().count() > MAX_HEADER)
        {
            errors.push(format!("'{key}' is longer than {MAX_HEADER} characters"));
        }
    }
    if !matches!(
        ldif["processingDirection"].as_str(),
        Some("inbound" | "outbound")
    ) {
        errors.push("'processingDirection' must be inbound or outbound".into());
    }
    if !matches!(
        ldif["processingMode"].as_str(),
        None | Some("partial" | "full")
    ) {
        errors.push("'processingMode' must be partial or full".into());
    }
    if !ldif["content"].is_null() && !ldif["content"].is_array() {
        errors.push("'content' must be a list".into());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The processors the sandbox uses for an inbound LDIF without a processor
/// configuration: content `type` is the fact sheet type, `id` the external
/// id, and `data.name`, `data.description`, `data.release` the fields.
pub(crate) fn default_inbound() -> Value {
    let update =
        |key: &str| json!({"key": {"expr": key}, "values": [{"expr": format!("${{data.{key}}}")}]});
    json!([{
        "processorType": "inboundFactSheet",
        "processorName": "Sandbox default inbound processor",
        "type": "${content.type}",
        "identifier": {"external": {"id": {"expr": "${content.id}"}, "type": {"expr": "externalId"}}},
        "updates": [update("name"), update("description"), update("release")],
    }])
}

/// Processes `ldif` with the processors of `config` (or the defaults);
/// a `test` run changes nothing.
pub(crate) fn process(state: &State, ldif: &Value, config: Option<&Value>, test: bool) -> Outcome {
    let processors = config
        .and_then(|c| c["processors"].as_array())
        .filter(|p| !p.is_empty());
    if ldif["processingDirection"] == "outbound" {
        let default = json!([{"processorType": "outboundFactSheet", "processorName": "Sandbox default outbound processor"}]);
        return outbound(
            state,
            ldif,
            processors.unwrap_or(default.as_array().expect("a list")),
        );
    }
    let default = default_inbound();
    let processors = processors.unwrap_or(default.as_array().expect("a list"));
    let content = ldif["content"].as_array().map_or(&[][..], Vec::as_slice);
    let mut out = Outcome::default();
    let mut taken = vec![false; content.len()];
    let mut applied = vec![false; content.len()];
    for (index, p) in processors.iter().enumerate() {
        let name = p["processorName"]
            .as_str()
            .or(p["processorType"].as_str())
            .unwrap_or("processor");
        let at = (name, index);
        if p["processorType"] != "inboundFactSheet" {
            let message = format!(
                "Processor type {} is not supported by the sandbox; it was skipped",
                p["processorType"]
            );
            out.warnings
                .push(warning(at, None, "WARNING", "configuration", &message, ""));
            continue;
        }
        out.processors += 1;
        for (i, c) in content.iter().enumerate() {
            if p["filter"]["exactType"]
                .as_str()
                .is_some_and(|t| c["type"] != t)
            {
                continue;
            }
            taken[i] = true;
            if let Err((status, message, detail)) = inbound_one(state, p, c, test) {
                out.warnings.push(warning(
                    at,
                    c["id"].as_str(),
                    status,
                    "mapping",
                    &message,
                    &detail,
                ));
            } else {
                applied[i] = true;
                out.changes += 1;
            }
        }
    }
    out.contents = content.len();
    out.in_scope = taken.iter().filter(|t| **t).count();
    out.processed = applied.iter().filter(|a| **a).count();
    out
}

type Refusal = (&'static str, String, String);

/// Creates or updates the fact sheet that content `c` describes.
fn inbound_one(state: &State, p: &Value, c: &Value, test: bool) -> Result<(), Refusal> {
    let fs_type = eval(p["type"].as_str().unwrap_or("${content.type}"), c).unwrap_or_default();
    if model::canonical_type(&fs_type).is_none() {
        let message = format!("Fact sheet type '{fs_type}' does not exist");
        return Err(("WARNING", message, "The content was skipped.".into()));
    }
    let id_expr = p["identifier"]["external"]["id"]["expr"]
        .as_str()
        .unwrap_or("${content.id}");
    let Some(external_id) = eval(id_expr, c).filter(|id| !id.is_empty()) else {
        return Err((
            "ERROR",
            "The content has no external id".into(),
            format!("Expression {id_expr}"),
        ));
    };
    let mut name = None;
    let mut patches = Vec::new();
    for u in p["updates"].as_array().into_iter().flatten() {
        let key = eval(u["key"]["expr"].as_str().unwrap_or_default(), c).unwrap_or_default();
        let values = u["values"].as_array().into_iter().flatten();
        let Some(value) = values
            .filter_map(|v| eval(v["expr"].as_str()?, c))
            .find(|v| !v.is_empty())
        else {
            continue;
        };
        match key.as_str() {
            "name" => name = Some(value),
            "description" | "release" | "alias" => {
                patches.push(Patch::replace(&format!("/{key}"), value))
            }
            other => {
                let message = format!("Field '{other}' cannot be written by the sandbox");
                return Err((
                    "WARNING",
                    message,
                    "Supported: name, description, release, alias.".into(),
                ));
            }
        }
    }
    let result = match state.store.by_external_id(&fs_type, &external_id) {
        Some(existing) => {
            patches.extend(name.map(|n| Patch::replace("/name", n)));
            writes::update(state, &existing.id, None, &patches, None, test)
        }
        None => {
            let Some(name) = name else {
                let detail = format!("A {fs_type} with external id '{external_id}' cannot be created without a name.");
                return Err(("ERROR", "Fact sheet name is missing".into(), detail));
            };
            patches.push(Patch::replace("/externalId", external_id));
            writes::create(state, &fs_type, &name, &patches, test)
        }
    };
    result
        .map(drop)
        .map_err(|e| ("ERROR", e.message(), String::new()))
}

/// The results LDIF: the stored (not archived) fact sheets the processors select.
fn outbound(state: &State, ldif: &Value, processors: &[Value]) -> Outcome {
    let mut out = Outcome::default();
    let mut content = Vec::new();
    for (index, p) in processors.iter().enumerate() {
        let name = p["processorName"]
            .as_str()
            .or(p["processorType"].as_str())
            .unwrap_or("processor");
        if p["processorType"] != "outboundFactSheet" {
            let message = format!(
                "Processor type {} is not supported by the sandbox; it was skipped",
                p["processorType"]
            );
            out.warnings.push(warning(
                (name, index),
                None,
                "WARNING",
                "configuration",
                &message,
                "",
            ));
            continue;
        }
        out.processors += 1;
        let types = match &p["filter"]["type"] {
            Value::String(t) => Some([t.clone()].into()),
            Value::Array(t) => Some(
                t.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
            ),
            _ => None,
        };
        let fields: Vec<&str> = match p["fields"].as_array() {
            Some(f) => f.iter().filter_map(Value::as_str).collect(),
            None => vec!["name", "description"],
        };
        let page = state.store.page(
            &Filter {
                types,
                ..Filter::default()
            },
            0,
            usize::MAX,
        );
        out.in_scope += page.items.len();
        content.extend(page.items.iter().map(|(_, fs)| {
            let data: serde_json::Map<String, Value> = fields
                .iter()
                .map(|f| ((*f).to_owned(), fs.value[*f].clone()))
                .collect();
            json!({"type": fs.fs_type, "id": fs.id, "data": data})
        }));
    }
    out.processed = content.len();
    out.contents = content.len();
    let header = |key: &str| ldif[key].clone();
    out.results = Some(json!({
        "connectorType": header("connectorType"), "connectorId": header("connectorId"),
        "connectorVersion": header("connectorVersion"), "lxVersion": "1.0.0",
        "lxWorkspace": state.workspace.id, "description": header("description"),
        "processingDirection": "outbound",
        "processingMode": ldif["processingMode"].as_str().unwrap_or("partial"),
        "content": content,
    }));
    out
}

/// One warning item, in the Integration API's shape.
fn warning(
    (name, index): (&str, usize),
    content: Option<&str>,
    status: &str,
    category: &str,
    message: &str,
    detail: &str,
) -> Value {
    json!({
        "processor": {"name": name, "index": index}, "content": content, "message": message,
        "detail": detail, "category": category, "status": status,
    })
}

/// Evaluates a processor expression for content `c`: `${content.id}`,
/// `${content.type}`, `${content.data.key}` or `${data.key}` are replaced,
/// other text is kept; `None` if a referenced value is missing.
fn eval(expr: &str, c: &Value) -> Option<String> {
    let mut out = String::new();
    let mut rest = expr;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = start + rest[start..].find('}')?;
        let path = &rest[start + 2..end];
        let (mut v, keys) = match path.split_once('.') {
            Some(("content", keys)) => (c, keys),
            Some(("data", keys)) => (&c["data"], keys),
            _ => return None,
        };
        for key in keys.split('.') {
            v = v.get(key)?;
        }
        match v {
            Value::String(s) => out.push_str(s),
            Value::Number(_) | Value::Bool(_) => out.push_str(&v.to_string()),
            _ => return None,
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_read_content_and_data() {
        let c = json!({"type": "Deployment", "id": "d1", "data": {"app": "crm", "n": 3, "nested": {"x": "y"}}});
        assert_eq!(eval("${content.id}", &c).as_deref(), Some("d1"));
        assert_eq!(
            eval("App ${data.app} (${data.n})", &c).as_deref(),
            Some("App crm (3)")
        );
        assert_eq!(eval("${content.data.nested.x}", &c).as_deref(), Some("y"));
        assert_eq!(eval("literal", &c).as_deref(), Some("literal"));
        assert_eq!(eval("${data.missing}", &c), None);
        assert_eq!(eval("${other.x}", &c), None);
    }

    #[test]
    fn headers_are_checked() {
        let ok = json!({"connectorType": "t", "connectorId": "i", "connectorVersion": "1", "lxVersion": "1.0.0",
                        "processingDirection": "inbound", "content": []});
        assert!(check(&ok).is_ok());
        let mut bad = ok.clone();
        bad["connectorId"] = json!("x".repeat(501));
        bad["processingDirection"] = json!("sideways");
        bad.as_object_mut().unwrap().remove("lxVersion");
        assert_eq!(check(&bad).unwrap_err().len(), 3);
        assert!(check(&json!([1])).is_err());
    }
}
