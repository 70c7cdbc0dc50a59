//! What a GraphQL document asks for, found by parsing it the way a server does.

use graphql_parser::query::{
    parse_query, Definition, Document, OperationDefinition, Selection, SelectionSet, Value,
};

/// The kind of the operation a document runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    /// A query (including the `{ … }` shorthand): safe to retry.
    Query,
    /// A mutation: never retried.
    Mutation,
    /// A subscription (not served over HTTP by LeanIX): never retried.
    Subscription,
}

/// The operation a document runs: the one `operation_name` names, or its only operation. A
/// UTF-8 byte order mark, comments and fragment definitions are skipped as a GraphQL server
/// skips them. `None` when the document does not parse, names no such operation, or holds
/// several operations and no name chooses one: the server refuses those, and such a request
/// is not retried.
pub fn operation_kind(document: &str, operation_name: Option<&str>) -> Option<OperationKind> {
    let doc = parse(document)?;
    Some(match chosen(&doc, operation_name)? {
        OperationDefinition::SelectionSet(_) | OperationDefinition::Query(_) => {
            OperationKind::Query
        }
        OperationDefinition::Mutation(_) => OperationKind::Mutation,
        OperationDefinition::Subscription(_) => OperationKind::Subscription,
    })
}

/// Why a document cannot be walked page by page, if it cannot: it must run a query that
/// declares the cursor variable and selects `pageInfo { hasNextPage endCursor }`.
pub(crate) fn paging_problem(
    document: &str,
    operation_name: Option<&str>,
    cursor_variable: &str,
) -> Option<String> {
    let Some(doc) = parse(document) else {
        return Some("the GraphQL query does not parse".to_owned());
    };
    let query = match chosen(&doc, operation_name) {
        None => {
            return Some(match operation_name {
                Some(_) => "the GraphQL document has no operation of that name".to_owned(),
                None => "the GraphQL document has several operations; name the one to run"
                    .to_owned(),
            })
        }
        Some(OperationDefinition::Query(q)) => q,
        Some(OperationDefinition::SelectionSet(_)) => {
            return Some(format!(
                "the GraphQL query takes no variables, so it cannot take the cursor: declare ${cursor_variable} (query(${cursor_variable}: String) {{ allFactSheets(first: 1000, after: ${cursor_variable}) {{ … }} }})"
            ))
        }
        Some(_) => return Some("only a query can be walked page by page".to_owned()),
    };
    if !query
        .variable_definitions
        .iter()
        .any(|v| v.name == cursor_variable)
    {
        return Some(format!(
            "the GraphQL query does not declare the cursor variable ${cursor_variable}: add it and pass it to the connection (query(${cursor_variable}: String) {{ allFactSheets(first: 1000, after: ${cursor_variable}) {{ … }} }})"
        ));
    }
    match connection(&doc, &query.selection_set, cursor_variable, &mut Vec::new()) {
        Connection::Paged => None,
        Connection::WithoutCursor(field) => Some(format!(
            "the GraphQL query declares ${cursor_variable} but does not pass it to {field}, the connection that selects pageInfo, so every page would be the first: add {field}(after: ${cursor_variable})"
        )),
        Connection::None => Some(
            "the GraphQL query does not select pageInfo { hasNextPage endCursor } on its connection"
                .to_owned(),
        ),
    }
}

/// What the selection of a query holds for paging.
#[derive(Debug, PartialEq, Eq)]
enum Connection<'a> {
    /// A field that selects `pageInfo { hasNextPage endCursor }` and takes the cursor variable
    /// as an argument.
    Paged,
    /// A field (its name) that selects `pageInfo`, but none of those takes the cursor.
    WithoutCursor(&'a str),
    /// No field selects `pageInfo { hasNextPage endCursor }`.
    None,
}

/// Looks for the connection field (through fragments too): one whose own selection has a
/// `pageInfo` field selecting `hasNextPage` and `endCursor`.
fn connection<'a>(
    doc: &Document<'a, &'a str>,
    set: &SelectionSet<'a, &'a str>,
    cursor_variable: &str,
    seen: &mut Vec<&'a str>,
) -> Connection<'a> {
    let mut found = Connection::None;
    for item in &set.items {
        let inner = match item {
            Selection::Field(f) if has_page_info(doc, &f.selection_set, &mut seen.clone()) => {
                let takes_cursor = f
                    .arguments
                    .iter()
                    .any(|(_, value)| matches!(value, Value::Variable(v) if *v == cursor_variable));
                if takes_cursor {
                    Connection::Paged
                } else {
                    Connection::WithoutCursor(f.name)
                }
            }
            Selection::Field(f) => connection(doc, &f.selection_set, cursor_variable, seen),
            Selection::InlineFragment(i) => {
                connection(doc, &i.selection_set, cursor_variable, seen)
            }
            Selection::FragmentSpread(s) => match fragment(doc, s.fragment_name, seen) {
                Some(set) => connection(doc, set, cursor_variable, seen),
                None => Connection::None,
            },
        };
        match inner {
            Connection::Paged => return Connection::Paged,
            Connection::WithoutCursor(_) if found == Connection::None => found = inner,
            _ => {}
        }
    }
    found
}

/// True if the selection itself (fragments expanded, not nested fields) has a `pageInfo` field
/// that selects both `hasNextPage` and `endCursor`.
fn has_page_info<'a>(
    doc: &Document<'a, &'a str>,
    set: &SelectionSet<'a, &'a str>,
    seen: &mut Vec<&'a str>,
) -> bool {
    set.items.iter().any(|item| match item {
        Selection::Field(f) if f.name == "pageInfo" => {
            let mut names = Vec::new();
            field_names(doc, &f.selection_set, &mut names, &mut Vec::new());
            names.contains(&"hasNextPage") && names.contains(&"endCursor")
        }
        Selection::Field(_) => false,
        Selection::InlineFragment(i) => has_page_info(doc, &i.selection_set, seen),
        Selection::FragmentSpread(s) => match fragment(doc, s.fragment_name, seen) {
            Some(set) => has_page_info(doc, set, seen),
            None => false,
        },
    })
}

fn parse(document: &str) -> Option<Document<'_, &str>> {
    parse_query::<&str>(document.trim_start_matches('\u{feff}')).ok()
}

fn chosen<'d, 'a>(
    doc: &'d Document<'a, &'a str>,
    operation_name: Option<&str>,
) -> Option<&'d OperationDefinition<'a, &'a str>> {
    let mut operations = doc.definitions.iter().filter_map(|d| match d {
        Definition::Operation(op) => Some(op),
        Definition::Fragment(_) => None,
    });
    match operation_name {
        Some(wanted) => operations.find(|op| name_of(op) == Some(wanted)),
        None => {
            let first = operations.next()?;
            operations.next().is_none().then_some(first)
        }
    }
}

fn name_of<'a>(op: &OperationDefinition<'a, &'a str>) -> Option<&'a str> {
    match op {
        OperationDefinition::SelectionSet(_) => None,
        OperationDefinition::Query(q) => q.name,
        OperationDefinition::Mutation(m) => m.name,
        OperationDefinition::Subscription(s) => s.name,
    }
}

/// The field names a selection selects directly (fragments expanded).
fn field_names<'a>(
    doc: &Document<'a, &'a str>,
    set: &SelectionSet<'a, &'a str>,
    names: &mut Vec<&'a str>,
    seen: &mut Vec<&'a str>,
) {
    for item in &set.items {
        match item {
            Selection::Field(f) => names.push(f.name),
            Selection::InlineFragment(i) => field_names(doc, &i.selection_set, names, seen),
            Selection::FragmentSpread(s) => {
                if let Some(set) = fragment(doc, s.fragment_name, seen) {
                    field_names(doc, set, names, seen);
                }
            }
        }
    }
}

/// The selection of the fragment `name`, unless it was expanded already on this path (a
/// cycle, which a server refuses anyway).
fn fragment<'d, 'a>(
    doc: &'d Document<'a, &'a str>,
    name: &'a str,
    seen: &mut Vec<&'a str>,
) -> Option<&'d SelectionSet<'a, &'a str>> {
    if seen.contains(&name) {
        return None;
    }
    seen.push(name);
    doc.definitions.iter().find_map(|d| match d {
        Definition::Fragment(f) if f.name == name => Some(&f.selection_set),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use OperationKind::*;

    #[test]
    fn finds_the_operation_that_runs() {
        for (doc, name, kind) in [
            ("{ allFactSheets { totalCount } }", None, Some(Query)),
            ("query Q($a: String) { x }", None, Some(Query)),
            (
                "# comment\n  mutation { createFactSheet }",
                None,
                Some(Mutation),
            ),
            ("\u{feff}mutation M { a }", None, Some(Mutation)),
            (
                "fragment F on FactSheet { id }\nmutation { updateFactSheet { ...F } }",
                None,
                Some(Mutation),
            ),
            ("query A { a }\nmutation B { b }", None, None),
            ("query A { a }\nmutation B { b }", Some("B"), Some(Mutation)),
            ("query A { a }\nmutation B { b }", Some("A"), Some(Query)),
            ("query A { a }\nmutation B { b }", Some("C"), None),
            ("subscription { s }", None, Some(Subscription)),
            ("mutation {", None, None),
            ("", None, None),
            ("fragment F on X { id }", None, None),
        ] {
            assert_eq!(operation_kind(doc, name), kind, "{doc:?} {name:?}");
        }
    }

    #[test]
    fn paging_needs_the_cursor_variable_passed_to_the_connection_and_page_info() {
        let good = "query($after: String) { allFactSheets(first: 10, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }";
        assert_eq!(paging_problem(good, None, "after"), None);
        let via_fragment = "query($after: String) { allFactSheets(after: $after) { pageInfo { ...P } edges { node { id } } } }\nfragment P on PageInfo { hasNextPage endCursor }";
        assert_eq!(paging_problem(via_fragment, None, "after"), None);
        let connection_fragment = "query($after: String) { allFactSheets(first: 5, after: $after) { ...C } }\nfragment C on FactSheetConnection { pageInfo { hasNextPage endCursor } edges { node { id } } }";
        assert_eq!(paging_problem(connection_fragment, None, "after"), None);
        let nested = "query Q($after: String) { viewer { ... on User { allFactSheets(after: $after) { pageInfo { hasNextPage endCursor } } } } }";
        assert_eq!(paging_problem(nested, None, "after"), None);
        let other_name = "query($cursor: String) { allFactSheets(after: $cursor) { pageInfo { hasNextPage endCursor } } }";
        assert_eq!(paging_problem(other_name, None, "cursor"), None);
        for (doc, needle) in [
            ("{ allFactSheets { pageInfo { hasNextPage endCursor } } }", "takes no variables"),
            ("query { allFactSheets { pageInfo { hasNextPage endCursor } } }", "$after"),
            ("query($after: String) { allFactSheets(after: $after) { edges { node { id } } } }", "pageInfo"),
            ("query($after: String) { allFactSheets(after: $after) { pageInfo { hasNextPage } } }", "pageInfo"),
            ("query($after: String) { allFactSheets(first: 5) { pageInfo { hasNextPage endCursor } edges { node { id } } } }", "does not pass it to allFactSheets"),
            ("query($after: String) { allFactSheets(first: 5, filter: {after: \"x\"}) { pageInfo { hasNextPage endCursor } } }", "does not pass it"),
            ("query($after: String) { allFactSheets(first: $after) { totalCount } }", "pageInfo"),
            ("query($after: String, $other: String) { allFactSheets(after: $other) { pageInfo { hasNextPage endCursor } } }", "does not pass it"),
            ("query($after: String) { x(after: $after) { id } allFactSheets { ...C } }\nfragment C on FactSheetConnection { pageInfo { hasNextPage endCursor } }", "does not pass it to allFactSheets"),
            ("mutation($after: String) { x }", "only a query"),
            ("query {", "does not parse"),
            ("query A { a } query B { b }", "several operations"),
        ] {
            let problem = paging_problem(doc, None, "after").expect(doc);
            assert!(problem.contains(needle), "{doc}: {problem}");
        }
    }
}
