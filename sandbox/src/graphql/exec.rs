//! Validation and execution of a parsed document against the inventory.
//!
//! Validation runs first, as in graphql-java: any undefined field, unknown
//! argument, unknown type or fragment makes the whole response
//! `{"data":null,"errors":[..]}` (on HTTP 200). Execution then builds the
//! response as a `serde_json::Map` in selection order (the workspace enables
//! `preserve_order`); a field that fails is `null` with an error naming its
//! `path`, and the other fields keep their data.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use graphql_parser::query as q;
use graphql_parser::Pos;
use serde_json::{json, Map, Value as Json};

use super::schema::{self, FieldType, BASE};
use crate::faults::Fault;
use crate::state::State;
use crate::store::Filter;
use crate::users::Role;
use crate::writes::{self, WriteError};

type Document<'a> = q::Document<'a, &'a str>;
type Selection<'a> = q::Selection<'a, &'a str>;
type Field<'a> = q::Field<'a, &'a str>;
type Value<'a> = q::Value<'a, &'a str>;
type Directive<'a> = q::Directive<'a, &'a str>;
type Fragment<'a> = q::FragmentDefinition<'a, &'a str>;

/// Fact sheets returned by `allFactSheets` without `first`, like the vendor's cap.
const DEFAULT_FIRST: usize = 15_000;

/// Runs `doc` and returns the response.
pub(crate) fn run(
    state: &State,
    role: Role,
    doc: &Document<'_>,
    operation_name: Option<&str>,
    variables: &Map<String, Json>,
    paging: Option<&Fault>,
) -> Json {
    let op = match select_operation(doc, operation_name) {
        Ok(op) => op,
        Err(message) => return errors_only(vec![json!({ "message": message })]),
    };
    let fragments = doc
        .definitions
        .iter()
        .filter_map(|d| match d {
            q::Definition::Fragment(f) => Some((f.name, f)),
            q::Definition::Operation(_) => None,
        })
        .collect();
    let ctx = Ctx {
        state,
        role,
        fragments,
        defaults: op.defaults,
        variables,
        paging,
        errors: RefCell::new(Vec::new()),
    };
    let sel: Vec<&Selection> = op.selection.items.iter().collect();
    ctx.validate(&sel, op.root, &mut Vec::new());
    let errors = ctx.errors.take();
    if !errors.is_empty() {
        return errors_only(errors);
    }
    let data = ctx.fields(
        &sel,
        op.root,
        &mut Vec::new(),
        |ctx, f, sub, path| match f.name {
            "allFactSheets" => ctx.all_fact_sheets(f, sub, path),
            "factSheet" => ctx.fact_sheet(f, sub, path),
            _ => ctx.mutation(f, sub, path),
        },
    );
    let errors = ctx.errors.take();
    let mut out = json!({ "data": data });
    if !errors.is_empty() {
        out["errors"] = Json::Array(errors);
    }
    out
}

/// `{"data":null,"errors":[..]}`.
pub(crate) fn errors_only(errors: Vec<Json>) -> Json {
    json!({ "data": null, "errors": errors })
}

/// A graphql-java style error with a location; `error_type` goes into
/// `extensions` as both `errorType` (what LeanIX clients test, e.g.
/// `REVISION_CLASH`) and graphql-java's `classification`.
pub(crate) fn error_at(message: String, line: usize, column: usize, error_type: &str) -> Json {
    json!({
        "message": message,
        "locations": [{ "line": line, "column": column }],
        "extensions": { "errorType": error_type, "classification": error_type },
    })
}

/// The operation to run, reduced to what execution needs.
struct Operation<'d, 'a> {
    root: &'static str,
    selection: &'d q::SelectionSet<'a, &'a str>,
    defaults: HashMap<&'a str, &'d Value<'a>>,
}

fn select_operation<'d, 'a>(
    doc: &'d Document<'a>,
    name: Option<&str>,
) -> Result<Operation<'d, 'a>, String> {
    let ops: Vec<_> = doc
        .definitions
        .iter()
        .filter_map(|d| match d {
            q::Definition::Operation(op) => Some(op),
            q::Definition::Fragment(_) => None,
        })
        .map(|op| match op {
            q::OperationDefinition::SelectionSet(s) => (None, "Query", &[][..], s),
            q::OperationDefinition::Query(o) => (
                o.name,
                "Query",
                &o.variable_definitions[..],
                &o.selection_set,
            ),
            q::OperationDefinition::Mutation(o) => (
                o.name,
                "Mutation",
                &o.variable_definitions[..],
                &o.selection_set,
            ),
            q::OperationDefinition::Subscription(o) => (
                o.name,
                "Subscription",
                &o.variable_definitions[..],
                &o.selection_set,
            ),
        })
        .collect();
    let (_, root, vars, selection) = match name.filter(|n| !n.is_empty()) {
        Some(name) => ops
            .into_iter()
            .find(|o| o.0 == Some(name))
            .ok_or_else(|| format!("Unknown operation named '{name}'."))?,
        None if ops.len() == 1 => ops[0],
        None if ops.is_empty() => return Err("No operation in the document.".to_owned()),
        None => {
            return Err(
                "Must provide operation name if query contains multiple operations.".to_owned(),
            )
        }
    };
    let defaults = vars
        .iter()
        .filter_map(|v| Some((v.name, v.default_value.as_ref()?)))
        .collect();
    Ok(Operation {
        root,
        selection,
        defaults,
    })
}

struct Ctx<'d, 'a> {
    state: &'d State,
    role: Role,
    fragments: HashMap<&'a str, &'d Fragment<'a>>,
    defaults: HashMap<&'a str, &'d Value<'a>>,
    variables: &'d Map<String, Json>,
    paging: Option<&'d Fault>,
    errors: RefCell<Vec<Json>>,
}

type Groups<'d, 'a> = Vec<(&'a str, Vec<&'d Field<'a>>)>;

impl<'d, 'a> Ctx<'d, 'a> {
    // ---- validation -------------------------------------------------------

    fn invalid(&self, kind: &str, detail: String, pos: Pos) {
        self.errors.borrow_mut().push(error_at(
            format!("Validation error of type {kind}: {detail}"),
            pos.line,
            pos.column,
            "ValidationError",
        ));
    }

    fn validate(&self, sel: &[&'d Selection<'a>], ty: &str, fragments: &mut Vec<&'a str>) {
        for s in sel {
            match s {
                q::Selection::Field(f) => self.validate_field(f, ty, fragments),
                q::Selection::InlineFragment(i) => {
                    self.validate_directives(&i.directives);
                    let inner = match &i.type_condition {
                        Some(q::TypeCondition::On(t)) if !schema::is_type(t) => {
                            self.invalid("UnknownType", format!("Unknown type {t}"), i.position);
                            continue;
                        }
                        Some(q::TypeCondition::On(t)) => t,
                        None => ty,
                    };
                    let sub: Vec<&Selection> = i.selection_set.items.iter().collect();
                    self.validate(&sub, inner, fragments);
                }
                q::Selection::FragmentSpread(s) => {
                    self.validate_directives(&s.directives);
                    let name = s.fragment_name;
                    let Some(fragment) = self.fragments.get(name) else {
                        let detail = format!("Undefined fragment {name}");
                        self.invalid("UndefinedFragment", detail, s.position);
                        continue;
                    };
                    if fragments.contains(&name) {
                        let detail = format!("Fragment cycle detected involving {name}");
                        self.invalid("FragmentCycle", detail, s.position);
                        continue;
                    }
                    let q::TypeCondition::On(cond) = fragment.type_condition;
                    if !schema::is_type(cond) {
                        self.invalid("UnknownType", format!("Unknown type {cond}"), s.position);
                        continue;
                    }
                    fragments.push(name);
                    let sub: Vec<&Selection> = fragment.selection_set.items.iter().collect();
                    self.validate(&sub, cond, fragments);
                    fragments.pop();
                }
            }
        }
    }

    fn validate_field(&self, f: &'d Field<'a>, ty: &str, fragments: &mut Vec<&'a str>) {
        self.validate_directives(&f.directives);
        let (name, pos) = (f.name, f.position);
        let field_type = if name == "__typename" {
            FieldType::Leaf("String")
        } else if let Some(t) = schema::field(ty, name) {
            t
        } else {
            let detail = format!("Field '{name}' in type '{ty}' is undefined");
            return self.invalid("FieldUndefined", detail, pos);
        };
        let allowed = schema::arguments(ty, name);
        for (arg, _) in &f.arguments {
            if !allowed.contains(arg) {
                self.invalid(
                    "UnknownArgument",
                    format!("Unknown field argument {arg}"),
                    pos,
                );
            }
        }
        let sub: Vec<&Selection> = f.selection_set.items.iter().collect();
        match field_type {
            FieldType::Leaf(scalar) if !sub.is_empty() => {
                let detail =
                    format!("Sub selection not allowed on leaf type {scalar} of field {name}");
                self.invalid("SubselectionNotAllowed", detail, pos);
            }
            FieldType::Leaf(_) => {}
            FieldType::Object(inner) if sub.is_empty() => {
                let detail = format!("Sub selection required for type {inner} of field {name}");
                self.invalid("SubselectionRequired", detail, pos);
            }
            FieldType::Object(inner) => self.validate(&sub, inner, fragments),
        }
    }

    fn validate_directives(&self, directives: &[Directive<'a>]) {
        for d in directives {
            if d.name != "skip" && d.name != "include" {
                let detail = format!("Unknown directive {}", d.name);
                self.invalid("UnknownDirective", detail, d.position);
            }
        }
    }

    // ---- execution --------------------------------------------------------

    /// Resolves a literal or variable to JSON.
    fn value(&self, v: &Value<'a>) -> Json {
        match v {
            q::Value::Variable(name) => match self.variables.get(*name) {
                Some(v) => v.clone(),
                None => self
                    .defaults
                    .get(name)
                    .map_or(Json::Null, |d| self.value(d)),
            },
            q::Value::Int(n) => n.as_i64().map_or(Json::Null, Json::from),
            q::Value::Float(f) => Json::from(*f),
            q::Value::String(s) => Json::String(s.clone()),
            q::Value::Enum(s) => Json::from(*s),
            q::Value::Boolean(b) => Json::Bool(*b),
            q::Value::Null => Json::Null,
            q::Value::List(items) => items.iter().map(|i| self.value(i)).collect(),
            q::Value::Object(fields) => Json::Object(
                fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), self.value(v)))
                    .collect(),
            ),
        }
    }

    fn argument(&self, f: &Field<'a>, name: &str) -> Json {
        f.arguments
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(Json::Null, |(_, v)| self.value(v))
    }

    fn included(&self, directives: &[Directive<'a>]) -> bool {
        directives.iter().all(|d| {
            let cond = d.arguments.iter().find(|(n, _)| *n == "if");
            let cond = cond.and_then(|(_, v)| self.value(v).as_bool());
            !matches!(
                (d.name, cond),
                ("skip", Some(true)) | ("include", Some(false))
            )
        })
    }

    /// Groups the fields of `sel` that apply to `concrete` by response key.
    fn collect(&self, sel: &[&'d Selection<'a>], concrete: &str, out: &mut Groups<'d, 'a>) {
        for s in sel {
            let (cond, directives, items) = match s {
                q::Selection::Field(f) => {
                    if self.included(&f.directives) {
                        let key = f.alias.unwrap_or(f.name);
                        match out.iter_mut().find(|(k, _)| *k == key) {
                            Some((_, group)) => group.push(f),
                            None => out.push((key, vec![f])),
                        }
                    }
                    continue;
                }
                q::Selection::InlineFragment(i) => {
                    (i.type_condition.as_ref(), &i.directives, &i.selection_set)
                }
                q::Selection::FragmentSpread(s) => match self.fragments.get(s.fragment_name) {
                    Some(f) => (Some(&f.type_condition), &s.directives, &f.selection_set),
                    None => continue,
                },
            };
            let applies = cond.is_none_or(|q::TypeCondition::On(t)| schema::applies(concrete, t));
            if applies && self.included(directives) {
                let sub: Vec<&Selection> = items.items.iter().collect();
                self.collect(&sub, concrete, out);
            }
        }
    }

    /// An object of type `ty` with the selections `sel`: each response key
    /// gets `resolve(field, its sub-selection, path)`, `__typename` gets `ty`.
    fn fields(
        &self,
        sel: &[&'d Selection<'a>],
        ty: &str,
        path: &mut Vec<Json>,
        mut resolve: impl FnMut(&Self, &'d Field<'a>, &[&'d Selection<'a>], &mut Vec<Json>) -> Json,
    ) -> Json {
        let mut groups = Groups::new();
        self.collect(sel, ty, &mut groups);
        let mut map = Map::with_capacity(groups.len());
        for (key, fields) in groups {
            let sub: Vec<&Selection> = fields.iter().flat_map(|f| &f.selection_set.items).collect();
            path.push(Json::from(key));
            let value = match fields[0].name {
                "__typename" => Json::from(ty),
                _ => resolve(self, fields[0], &sub, path),
            };
            path.pop();
            map.insert(key.to_owned(), value);
        }
        Json::Object(map)
    }

    /// An object whose data is the JSON `data` (a fact sheet or a part of one).
    fn object(
        &self,
        data: &Json,
        ty: &str,
        sel: &[&'d Selection<'a>],
        path: &mut Vec<Json>,
    ) -> Json {
        self.fields(sel, ty, path, |ctx, f, sub, path| {
            let value = data.get(f.name).unwrap_or(&Json::Null);
            ctx.value_of(value, schema::field(ty, f.name), sub, path)
        })
    }

    fn value_of(
        &self,
        value: &Json,
        field_type: Option<FieldType>,
        sub: &[&'d Selection<'a>],
        path: &mut Vec<Json>,
    ) -> Json {
        match (field_type, value) {
            (Some(FieldType::Object(_)), Json::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    path.push(Json::from(i));
                    let v = self.value_of(item, field_type, sub, path);
                    path.pop();
                    v
                })
                .collect(),
            (Some(FieldType::Object(inner)), Json::Object(_)) => {
                let concrete = match inner {
                    BASE => value.get("type").and_then(Json::as_str).unwrap_or(BASE),
                    inner => inner,
                };
                self.object(value, concrete, sub, path)
            }
            _ => value.clone(),
        }
    }

    /// Records a field error (graphql-java's `DataFetchingException`) and
    /// answers the field's `null`.
    fn fail(&self, f: &Field<'a>, message: String, path: &[Json]) -> Json {
        self.fail_as(f, "DataFetchingException", message, path)
    }

    /// Records a field error of this `errorType` at the field's path.
    fn fail_as(&self, f: &Field<'a>, error_type: &str, message: String, path: &[Json]) -> Json {
        let (line, column) = (f.position.line, f.position.column);
        let mut error = error_at(message, line, column, error_type);
        error["path"] = Json::from(path);
        self.errors.borrow_mut().push(error);
        Json::Null
    }

    fn fact_sheet(&self, f: &Field<'a>, sub: &[&'d Selection<'a>], path: &mut Vec<Json>) -> Json {
        let Some(id) = self.argument(f, "id").as_str().map(str::to_owned) else {
            return self.fail(f, "Missing field argument 'id'".into(), path);
        };
        match self.state.store.get(&id) {
            Some(stored) => self.object(&stored.value, stored.fs_type, sub, path),
            None => self.fail(
                f,
                format!(
                    "Exception while fetching data (/factSheet) : FactSheet with id '{}' not found",
                    id.escape_debug()
                ),
                path,
            ),
        }
    }

    /// `createFactSheet` and `updateFactSheet`, answering `{factSheet}`.
    fn mutation(&self, f: &Field<'a>, sub: &[&'d Selection<'a>], path: &mut Vec<Json>) -> Json {
        let arg = |name| self.argument(f, name);
        let result = writes::authorize(self.role).and_then(|()| {
            let patches = writes::patches(&arg("patches"))?;
            let validate_only = arg("validateOnly").as_bool().unwrap_or(false);
            if f.name == "createFactSheet" {
                let input = arg("input");
                let (name, fs_type) = (input["name"].as_str(), input["type"].as_str());
                let name = name.ok_or(WriteError::Invalid("'input' needs a 'name'".into()))?;
                let fs_type =
                    fs_type.ok_or(WriteError::Invalid("'input' needs a 'type'".into()))?;
                return writes::create(self.state, fs_type, name, &patches, validate_only);
            }
            let id = arg("id");
            let id = id
                .as_str()
                .ok_or(WriteError::Invalid("Missing field argument 'id'".into()))?;
            let rev = match arg("rev") {
                Json::Null => None,
                rev => Some(rev.as_u64().or_else(|| rev.as_str()?.parse().ok()).ok_or(
                    WriteError::Invalid("Argument 'rev' must be a revision number".into()),
                )?),
            };
            let comment = arg("comment");
            writes::update(
                self.state,
                id,
                rev,
                &patches,
                comment.as_str(),
                validate_only,
            )
        });
        match result {
            Ok(fs) => self.object(&json!({ "factSheet": fs }), "FactSheetResult", sub, path),
            Err(e) => self.fail_as(f, e.error_type(), e.message(), path),
        }
    }

    fn all_fact_sheets(
        &self,
        f: &Field<'a>,
        sub: &[&'d Selection<'a>],
        path: &mut Vec<Json>,
    ) -> Json {
        let args = match self.connection_args(f) {
            Ok(args) => args,
            Err(message) => return self.fail(f, message, path),
        };
        let page = self.state.store.page(&args.filter, args.start, args.first);
        let mut info = json!({
            "hasNextPage": page.has_more,
            "hasPreviousPage": args.start > 0,
            "startCursor": page.items.first().map(|(p, _)| cursor(*p)),
            "endCursor": page.items.last().map(|(p, _)| cursor(*p)),
        });
        match self.paging {
            Some(Fault::NoEndCursor) => {
                (info["hasNextPage"], info["endCursor"]) = (true.into(), Json::Null)
            }
            Some(Fault::CursorCycle) => {
                // After the first of two cursors comes the second, after anything else the first.
                let next = cursor(usize::from(args.start == 1));
                (info["hasNextPage"], info["endCursor"]) = (true.into(), next);
            }
            _ => {}
        }
        self.fields(
            sub,
            "FactSheetConnection",
            path,
            |ctx, f, sub, path| match f.name {
                "totalCount" => Json::from(page.total),
                "pageInfo" => ctx.object(&info, "PageInfo", sub, path),
                _ => (page.items.iter().enumerate())
                    .map(|(n, (pos, stored))| {
                        path.push(Json::from(n));
                        let edge = ctx.fields(sub, "FactSheetEdge", path, |ctx, f, sub, path| {
                            match f.name {
                                "cursor" => cursor(*pos),
                                _ => ctx.object(&stored.value, stored.fs_type, sub, path),
                            }
                        });
                        path.pop();
                        edge
                    })
                    .collect(),
            },
        )
    }

    fn connection_args(&self, f: &Field<'a>) -> Result<ConnectionArgs, String> {
        let first = match self.argument(f, "first") {
            Json::Null => DEFAULT_FIRST,
            Json::Number(n) => match n.as_u64() {
                Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
                None => return Err("Argument 'first' must be a non-negative integer".into()),
            },
            _ => return Err("Argument 'first' must be an integer".into()),
        };
        let start = match self.argument(f, "after") {
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
        match self.argument(f, "factSheetType") {
            Json::Null => {}
            Json::String(t) if schema::is_fact_sheet_type(&t) => restrict([t].into(), &mut filter),
            other => {
                let shown = other
                    .as_str()
                    .map_or_else(|| other.to_string(), str::to_owned);
                return Err(format!(
                    "argument 'factSheetType' with value '{shown}' is not a valid 'FactSheetType'"
                ));
            }
        }
        let spec = self.argument(f, "filter");
        if let Some(text) = spec["fullTextSearch"].as_str().map(str::trim) {
            filter.text = (!text.is_empty()).then(|| text.to_owned());
        }
        if let Some(ids) = spec["ids"].as_array() {
            let ids = ids.iter().filter_map(Json::as_str).map(str::to_owned);
            filter.ids = Some(ids.collect());
        }
        for facet in spec["facetFilters"].as_array().into_iter().flatten() {
            let key = facet["facetKey"].as_str().unwrap_or("");
            if key == "TrashBin" {
                // `keys: ["archived"]` lists the archived fact sheets instead of the others.
                filter.archived = facet["keys"]
                    .as_array()
                    .is_some_and(|k| k.contains(&"archived".into()));
                continue;
            }
            if key != "FactSheetTypes" {
                return Err(format!("Invalid facet key: '{key}'"));
            }
            let keys: HashSet<String> = facet["keys"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .map(str::to_owned)
                .collect();
            match facet["operator"].as_str().unwrap_or("OR") {
                "NOR" => filter.exclude_types.extend(keys),
                "AND" if keys.len() > 1 => restrict(HashSet::new(), &mut filter),
                _ if keys.is_empty() => {}
                _ => restrict(keys, &mut filter),
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

/// The opaque GraphQL cursor of position `pos`.
fn cursor(pos: usize) -> Json {
    Json::from(STANDARD.encode(format!("fs:{pos}")))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let raw = STANDARD.decode(cursor).ok()?;
    std::str::from_utf8(&raw)
        .ok()?
        .strip_prefix("fs:")?
        .parse()
        .ok()
}
