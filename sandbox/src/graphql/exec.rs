//! Validation and execution of a parsed query against the inventory.
//!
//! Validation runs first, as in graphql-java: any undefined field, unknown
//! argument, unknown type or fragment makes the whole response
//! `{"data":null,"errors":[..]}` (on HTTP 200). Execution then writes the
//! response JSON directly, in selection order.

use std::collections::HashSet;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value as Json};

use super::parse::{Directive, Document, Field, Operation, OperationKind, Pos, Selection, Value};
use super::schema::{self, FieldType, BASE};
use crate::store::{Filter, Store};

/// Fact sheets returned by `allFactSheets` without `first`, like the vendor's cap.
const DEFAULT_FIRST: usize = 15_000;

/// Runs `doc` and returns the response JSON text.
pub(crate) fn run(
    store: &Store,
    doc: &Document,
    operation_name: Option<&str>,
    variables: &Map<String, Json>,
) -> String {
    let op = match select_operation(doc, operation_name) {
        Ok(op) => op,
        Err(message) => return errors_only(vec![json!({ "message": message })]),
    };
    let root = match op.kind {
        OperationKind::Query => "Query",
        OperationKind::Mutation => "Mutation",
        OperationKind::Subscription => "Subscription",
    };
    let ctx = Ctx {
        store,
        doc,
        op,
        variables,
    };
    let mut errors = Vec::new();
    let sel: Vec<&Selection> = op.selection.iter().collect();
    ctx.validate(&sel, root, &mut errors, &mut Vec::new());
    if !errors.is_empty() {
        return errors_only(errors);
    }
    let mut out = String::with_capacity(4096);
    out.push_str(r#"{"data":"#);
    ctx.write_object(
        &mut out,
        &mut errors,
        &Json::Null,
        root,
        &sel,
        &mut Vec::new(),
    );
    if !errors.is_empty() {
        out.push_str(r#","errors":"#);
        out.push_str(&Json::Array(errors).to_string());
    }
    out.push('}');
    out
}

/// `{"data":null,"errors":[..]}`.
pub(crate) fn errors_only(errors: Vec<Json>) -> String {
    json!({ "data": null, "errors": errors }).to_string()
}

/// A graphql-java style error with a location and a classification.
pub(crate) fn error_at(message: String, pos: Pos, classification: &str) -> Json {
    json!({
        "message": message,
        "locations": [{ "line": pos.line, "column": pos.column }],
        "extensions": { "classification": classification },
    })
}

fn select_operation<'d>(doc: &'d Document, name: Option<&str>) -> Result<&'d Operation, String> {
    match name.filter(|n| !n.is_empty()) {
        Some(name) => doc
            .operations
            .iter()
            .find(|o| o.name.as_deref() == Some(name))
            .ok_or_else(|| format!("Unknown operation named '{name}'.")),
        None if doc.operations.len() == 1 => Ok(&doc.operations[0]),
        None if doc.operations.is_empty() => Err("No operation in the document.".to_owned()),
        None => {
            Err("Must provide operation name if query contains multiple operations.".to_owned())
        }
    }
}

struct Ctx<'a> {
    store: &'a Store,
    doc: &'a Document,
    op: &'a Operation,
    variables: &'a Map<String, Json>,
}

type Groups<'a> = Vec<(&'a str, Vec<&'a Field>)>;

impl<'a> Ctx<'a> {
    // ---- validation -------------------------------------------------------

    fn validate(
        &self,
        sel: &[&'a Selection],
        ty: &str,
        errors: &mut Vec<Json>,
        fragments: &mut Vec<&'a str>,
    ) {
        for s in sel {
            match s {
                Selection::Field(f) => {
                    self.validate_directives(&f.directives, f.pos, errors);
                    if f.name == "__typename" {
                        self.leaf_check(f, "String", errors);
                        continue;
                    }
                    let Some(field_type) = schema::field(ty, &f.name) else {
                        errors.push(validation(
                            "FieldUndefined",
                            format!("Field '{}' in type '{ty}' is undefined", f.name),
                            f.pos,
                        ));
                        continue;
                    };
                    let allowed = schema::arguments(ty, &f.name);
                    for (arg, _) in &f.arguments {
                        if !allowed.contains(&arg.as_str()) {
                            errors.push(validation(
                                "UnknownArgument",
                                format!("Unknown field argument {arg}"),
                                f.pos,
                            ));
                        }
                    }
                    match field_type {
                        FieldType::Leaf(scalar) => self.leaf_check(f, scalar, errors),
                        FieldType::Object(inner) if f.selection.is_empty() => {
                            errors.push(validation(
                                "SubselectionRequired",
                                format!(
                                    "Sub selection required for type {inner} of field {}",
                                    f.name
                                ),
                                f.pos,
                            ));
                        }
                        FieldType::Object(inner) => {
                            let sub: Vec<&Selection> = f.selection.iter().collect();
                            self.validate(&sub, inner, errors, fragments);
                        }
                    }
                }
                Selection::InlineFragment {
                    type_condition,
                    directives,
                    selection,
                    pos,
                } => {
                    self.validate_directives(directives, *pos, errors);
                    let inner = match type_condition {
                        Some(t) if !schema::is_type(t) => {
                            errors.push(validation(
                                "UnknownType",
                                format!("Unknown type {t}"),
                                *pos,
                            ));
                            continue;
                        }
                        Some(t) => t.as_str(),
                        None => ty,
                    };
                    let sub: Vec<&Selection> = selection.iter().collect();
                    self.validate(&sub, inner, errors, fragments);
                }
                Selection::FragmentSpread {
                    name,
                    directives,
                    pos,
                } => {
                    self.validate_directives(directives, *pos, errors);
                    let Some(fragment) = self.doc.fragments.get(name) else {
                        errors.push(validation(
                            "UndefinedFragment",
                            format!("Undefined fragment {name}"),
                            *pos,
                        ));
                        continue;
                    };
                    if fragments.contains(&name.as_str()) {
                        errors.push(validation(
                            "FragmentCycle",
                            format!("Fragment cycle detected involving {name}"),
                            *pos,
                        ));
                        continue;
                    }
                    if !schema::is_type(&fragment.type_condition) {
                        errors.push(validation(
                            "UnknownType",
                            format!("Unknown type {}", fragment.type_condition),
                            *pos,
                        ));
                        continue;
                    }
                    fragments.push(name);
                    let sub: Vec<&Selection> = fragment.selection.iter().collect();
                    self.validate(&sub, &fragment.type_condition, errors, fragments);
                    fragments.pop();
                }
            }
        }
    }

    fn leaf_check(&self, f: &Field, scalar: &str, errors: &mut Vec<Json>) {
        if !f.selection.is_empty() {
            errors.push(validation(
                "SubselectionNotAllowed",
                format!(
                    "Sub selection not allowed on leaf type {scalar} of field {}",
                    f.name
                ),
                f.pos,
            ));
        }
    }

    fn validate_directives(&self, directives: &[Directive], pos: Pos, errors: &mut Vec<Json>) {
        for d in directives {
            if d.name != "skip" && d.name != "include" {
                errors.push(validation(
                    "UnknownDirective",
                    format!("Unknown directive {}", d.name),
                    pos,
                ));
            }
        }
    }

    // ---- execution --------------------------------------------------------

    /// Resolves a literal or variable to JSON.
    fn value(&self, v: &Value) -> Json {
        match v {
            Value::Variable(name) => self
                .variables
                .get(name)
                .cloned()
                .or_else(|| {
                    self.op
                        .variables
                        .iter()
                        .find(|(n, _)| n == name)
                        .and_then(|(_, d)| d.as_ref())
                        .map(|d| self.value(d))
                })
                .unwrap_or(Json::Null),
            Value::Int(i) => Json::from(*i),
            Value::Float(f) => Json::from(*f),
            Value::String(s) | Value::Enum(s) => Json::String(s.clone()),
            Value::Boolean(b) => Json::Bool(*b),
            Value::Null => Json::Null,
            Value::List(items) => Json::Array(items.iter().map(|i| self.value(i)).collect()),
            Value::Object(fields) => Json::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), self.value(v)))
                    .collect(),
            ),
        }
    }

    fn argument(&self, f: &Field, name: &str) -> Json {
        f.arguments
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| self.value(v))
            .unwrap_or(Json::Null)
    }

    fn included(&self, directives: &[Directive]) -> bool {
        directives.iter().all(|d| {
            let cond = d
                .arguments
                .iter()
                .find(|(n, _)| n == "if")
                .map(|(_, v)| self.value(v))
                .and_then(|v| v.as_bool());
            !matches!(
                (d.name.as_str(), cond),
                ("skip", Some(true)) | ("include", Some(false))
            )
        })
    }

    /// Groups the fields of `sel` that apply to `concrete` by response key.
    fn collect(&self, sel: &[&'a Selection], concrete: &str, out: &mut Groups<'a>) {
        for s in sel {
            match s {
                Selection::Field(f) if self.included(&f.directives) => {
                    match out.iter_mut().find(|(k, _)| *k == f.response_key()) {
                        Some((_, group)) => group.push(f),
                        None => out.push((f.response_key(), vec![f])),
                    }
                }
                Selection::Field(_) => {}
                Selection::InlineFragment {
                    type_condition,
                    directives,
                    selection,
                    ..
                } => {
                    let applies = match type_condition.as_deref() {
                        Some(t) => schema::applies(concrete, t),
                        None => true,
                    };
                    if applies && self.included(directives) {
                        let sub: Vec<&Selection> = selection.iter().collect();
                        self.collect(&sub, concrete, out);
                    }
                }
                Selection::FragmentSpread {
                    name, directives, ..
                } => {
                    if let Some(fragment) = self.doc.fragments.get(name) {
                        if schema::applies(concrete, &fragment.type_condition)
                            && self.included(directives)
                        {
                            let sub: Vec<&Selection> = fragment.selection.iter().collect();
                            self.collect(&sub, concrete, out);
                        }
                    }
                }
            }
        }
    }

    /// Writes an object of type `ty` whose data is `data` (for the root and
    /// fact sheets) with the selections `sel`.
    fn write_object(
        &self,
        out: &mut String,
        errors: &mut Vec<Json>,
        data: &Json,
        ty: &str,
        sel: &[&'a Selection],
        path: &mut Vec<Json>,
    ) {
        let mut groups = Groups::new();
        self.collect(sel, ty, &mut groups);
        out.push('{');
        for (i, (key, fields)) in groups.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_str(out, key);
            out.push(':');
            let field = fields[0];
            let sub: Vec<&Selection> = fields.iter().flat_map(|f| f.selection.iter()).collect();
            path.push(Json::String((*key).to_owned()));
            match (ty, field.name.as_str()) {
                (_, "__typename") => push_json_str(out, ty),
                ("Query", "allFactSheets") => self.all_fact_sheets(out, errors, field, &sub, path),
                ("Query", "factSheet") => self.fact_sheet(out, errors, field, &sub, path),
                _ => {
                    let value = data.get(&field.name).unwrap_or(&Json::Null);
                    self.write_value(
                        out,
                        errors,
                        value,
                        schema::field(ty, &field.name),
                        &sub,
                        path,
                    );
                }
            }
            path.pop();
        }
        out.push('}');
    }

    fn write_value(
        &self,
        out: &mut String,
        errors: &mut Vec<Json>,
        value: &Json,
        field_type: Option<FieldType>,
        sub: &[&'a Selection],
        path: &mut Vec<Json>,
    ) {
        match (field_type, value) {
            (Some(FieldType::Object(inner)), Json::Array(items)) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    path.push(Json::from(i));
                    self.write_value(out, errors, item, Some(FieldType::Object(inner)), sub, path);
                    path.pop();
                }
                out.push(']');
            }
            (Some(FieldType::Object(inner)), Json::Object(_)) => {
                let concrete = if inner == BASE {
                    value.get("type").and_then(Json::as_str).unwrap_or(BASE)
                } else {
                    inner
                };
                self.write_object(out, errors, value, concrete, sub, path);
            }
            _ => out.push_str(&value.to_string()),
        }
    }

    fn fact_sheet(
        &self,
        out: &mut String,
        errors: &mut Vec<Json>,
        field: &Field,
        sub: &[&'a Selection],
        path: &mut Vec<Json>,
    ) {
        let id = self.argument(field, "id");
        let Some(id) = id.as_str() else {
            errors.push(field_error(
                "Missing field argument 'id'".into(),
                field.pos,
                path,
            ));
            out.push_str("null");
            return;
        };
        match self.store.get(id) {
            Some(stored) => {
                self.write_object(
                    out,
                    errors,
                    &stored.value,
                    stored.fact_sheet.fs_type,
                    sub,
                    path,
                );
            }
            None => {
                errors.push(field_error(
                    format!("Exception while fetching data (/factSheet) : FactSheet with id '{}' not found", id.escape_debug()),
                    field.pos,
                    path,
                ));
                out.push_str("null");
            }
        }
    }

    fn all_fact_sheets(
        &self,
        out: &mut String,
        errors: &mut Vec<Json>,
        field: &Field,
        sub: &[&'a Selection],
        path: &mut Vec<Json>,
    ) {
        let args = match self.connection_args(field) {
            Ok(args) => args,
            Err(message) => {
                errors.push(field_error(message, field.pos, path));
                out.push_str("null");
                return;
            }
        };
        let page = self.store.page(&args.filter, args.start, args.first);
        let cursor = |pos: usize| STANDARD.encode(format!("fs:{pos}"));

        let mut groups = Groups::new();
        self.collect(sub, "FactSheetConnection", &mut groups);
        out.push('{');
        for (i, (key, fields)) in groups.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_str(out, key);
            out.push(':');
            let inner: Vec<&Selection> = fields.iter().flat_map(|f| f.selection.iter()).collect();
            path.push(Json::String((*key).to_owned()));
            match fields[0].name.as_str() {
                "__typename" => push_json_str(out, "FactSheetConnection"),
                "totalCount" => out.push_str(&page.total.to_string()),
                "pageInfo" => {
                    let info = json!({
                        "hasNextPage": page.has_more,
                        "hasPreviousPage": args.start > 0,
                        "startCursor": page.items.first().map(|(p, _)| cursor(*p)),
                        "endCursor": page.items.last().map(|(p, _)| cursor(*p)),
                    });
                    self.write_object(out, errors, &info, "PageInfo", &inner, path);
                }
                _ => {
                    // edges
                    out.push('[');
                    for (n, (pos, stored)) in page.items.iter().enumerate() {
                        if n > 0 {
                            out.push(',');
                        }
                        path.push(Json::from(n));
                        let mut edge_groups = Groups::new();
                        self.collect(&inner, "FactSheetEdge", &mut edge_groups);
                        out.push('{');
                        for (j, (ekey, efields)) in edge_groups.iter().enumerate() {
                            if j > 0 {
                                out.push(',');
                            }
                            push_json_str(out, ekey);
                            out.push(':');
                            match efields[0].name.as_str() {
                                "__typename" => push_json_str(out, "FactSheetEdge"),
                                "cursor" => push_json_str(out, &cursor(*pos)),
                                _ => {
                                    let node: Vec<&Selection> =
                                        efields.iter().flat_map(|f| f.selection.iter()).collect();
                                    path.push(Json::String((*ekey).to_owned()));
                                    self.write_object(
                                        out,
                                        errors,
                                        &stored.value,
                                        stored.fact_sheet.fs_type,
                                        &node,
                                        path,
                                    );
                                    path.pop();
                                }
                            }
                        }
                        out.push('}');
                        path.pop();
                    }
                    out.push(']');
                }
            }
            path.pop();
        }
        out.push('}');
    }

    fn connection_args(&self, field: &Field) -> Result<ConnectionArgs, String> {
        let first = match self.argument(field, "first") {
            Json::Null => DEFAULT_FIRST,
            Json::Number(n) => match n.as_u64() {
                Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
                None => return Err("Argument 'first' must be a non-negative integer".into()),
            },
            _ => return Err("Argument 'first' must be an integer".into()),
        };
        let start = match self.argument(field, "after") {
            Json::Null => 0,
            Json::String(s) if s.is_empty() => 0,
            Json::String(s) => decode_cursor(&s).ok_or("Invalid cursor")? + 1,
            _ => return Err("Argument 'after' must be a string".into()),
        };
        let mut filter = Filter::default();
        let restrict = |types: HashSet<String>, filter: &mut Filter| {
            filter.types = Some(match filter.types.take() {
                Some(existing) => existing.intersection(&types).cloned().collect(),
                None => types,
            });
        };
        match self.argument(field, "factSheetType") {
            Json::Null => {}
            Json::String(t) if schema::is_fact_sheet_type(&t) => restrict([t].into(), &mut filter),
            other => {
                return Err(format!(
                    "argument 'factSheetType' with value '{}' is not a valid 'FactSheetType'",
                    other
                        .as_str()
                        .map_or_else(|| other.to_string(), str::to_owned)
                ))
            }
        }
        if let Json::Object(spec) = self.argument(field, "filter") {
            if let Some(text) = spec.get("fullTextSearch").and_then(Json::as_str) {
                if !text.trim().is_empty() {
                    filter.text = Some(text.trim().to_owned());
                }
            }
            if let Some(ids) = spec.get("ids").and_then(Json::as_array) {
                filter.ids = Some(
                    ids.iter()
                        .filter_map(Json::as_str)
                        .map(str::to_owned)
                        .collect(),
                );
            }
            for facet in spec
                .get("facetFilters")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                let key = facet.get("facetKey").and_then(Json::as_str).unwrap_or("");
                if key != "FactSheetTypes" {
                    return Err(format!("Invalid facet key: '{key}'"));
                }
                let keys: HashSet<String> = facet
                    .get("keys")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                    .map(str::to_owned)
                    .collect();
                match facet.get("operator").and_then(Json::as_str).unwrap_or("OR") {
                    "NOR" => filter.exclude_types.extend(keys),
                    "AND" if keys.len() > 1 => restrict(HashSet::new(), &mut filter),
                    _ if keys.is_empty() => {}
                    _ => restrict(keys, &mut filter),
                }
            }
        }
        Ok(ConnectionArgs {
            first,
            start,
            filter,
        })
    }
}

struct ConnectionArgs {
    first: usize,
    start: usize,
    filter: Filter,
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let raw = STANDARD.decode(cursor).ok()?;
    std::str::from_utf8(&raw)
        .ok()?
        .strip_prefix("fs:")?
        .parse()
        .ok()
}

fn validation(kind: &str, detail: String, pos: Pos) -> Json {
    error_at(
        format!("Validation error of type {kind}: {detail}"),
        pos,
        "ValidationError",
    )
}

fn field_error(message: String, pos: Pos, path: &[Json]) -> Json {
    json!({
        "message": message,
        "locations": [{ "line": pos.line, "column": pos.column }],
        "path": path,
        "extensions": { "classification": "DataFetchingException" },
    })
}

fn push_json_str(out: &mut String, s: &str) {
    out.push_str(&Json::String(s.to_owned()).to_string());
}
