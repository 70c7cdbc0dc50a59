//! The slice of the Pathfinder GraphQL schema that the sandbox serves.

use crate::model::TYPES;

/// The declared type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldType {
    /// A leaf (its GraphQL scalar or enum type name).
    Leaf(&'static str),
    /// An object, interface or list of them.
    Object(&'static str),
}

/// The interface every fact sheet type implements.
pub(crate) const BASE: &str = "BaseFactSheet";

const BASE_FIELDS: &[(&str, FieldType)] = &[
    ("id", FieldType::Leaf("ID")),
    ("name", FieldType::Leaf("String")),
    ("displayName", FieldType::Leaf("String")),
    ("fullName", FieldType::Leaf("String")),
    ("type", FieldType::Leaf("String")),
    ("description", FieldType::Leaf("String")),
    ("level", FieldType::Leaf("Int")),
    ("status", FieldType::Leaf("FactSheetStatus")),
    ("rev", FieldType::Leaf("Long")),
    ("createdAt", FieldType::Leaf("DateTime")),
    ("updatedAt", FieldType::Leaf("DateTime")),
    ("qualitySeal", FieldType::Leaf("QualitySealStatus")),
    ("completion", FieldType::Object("Completion")),
    ("tags", FieldType::Object("Tag")),
    ("externalId", FieldType::Object("ExternalId")),
    ("lxState", FieldType::Leaf("String")),
];

const RELEASE: (&str, FieldType) = ("release", FieldType::Leaf("String"));
const ALIAS: (&str, FieldType) = ("alias", FieldType::Leaf("String"));
const LIFECYCLE: (&str, FieldType) = ("lifecycle", FieldType::Object("Lifecycle"));

fn type_fields(type_name: &str) -> &'static [(&'static str, FieldType)] {
    match type_name {
        "Query" => &[
            ("allFactSheets", FieldType::Object("FactSheetConnection")),
            ("factSheet", FieldType::Object(BASE)),
        ],
        "Mutation" => &[
            ("createFactSheet", FieldType::Object("FactSheetResult")),
            ("updateFactSheet", FieldType::Object("FactSheetResult")),
        ],
        "FactSheetResult" => &[("factSheet", FieldType::Object(BASE))],
        "ExternalId" => &[
            ("externalId", FieldType::Leaf("String")),
            ("type", FieldType::Leaf("String")),
        ],
        "FactSheetConnection" => &[
            ("totalCount", FieldType::Leaf("Long")),
            ("pageInfo", FieldType::Object("PageInfo")),
            ("edges", FieldType::Object("FactSheetEdge")),
        ],
        "PageInfo" => &[
            ("hasNextPage", FieldType::Leaf("Boolean")),
            ("hasPreviousPage", FieldType::Leaf("Boolean")),
            ("startCursor", FieldType::Leaf("String")),
            ("endCursor", FieldType::Leaf("String")),
        ],
        "FactSheetEdge" => &[
            ("node", FieldType::Object(BASE)),
            ("cursor", FieldType::Leaf("String")),
        ],
        "Lifecycle" => &[
            ("asString", FieldType::Leaf("String")),
            ("phases", FieldType::Object("LifecyclePhase")),
        ],
        "LifecyclePhase" => &[
            ("phase", FieldType::Leaf("String")),
            ("startDate", FieldType::Leaf("String")),
        ],
        "Tag" => &[
            ("id", FieldType::Leaf("ID")),
            ("name", FieldType::Leaf("String")),
            ("description", FieldType::Leaf("String")),
            ("color", FieldType::Leaf("String")),
            ("tagGroup", FieldType::Object("TagGroup")),
        ],
        "TagGroup" => &[
            ("id", FieldType::Leaf("ID")),
            ("name", FieldType::Leaf("String")),
            ("shortName", FieldType::Leaf("String")),
            ("mode", FieldType::Leaf("TagGroupMode")),
        ],
        "Completion" => &[
            ("completion", FieldType::Leaf("Float")),
            ("percentage", FieldType::Leaf("Float")),
        ],
        "Application" => &[
            RELEASE,
            ALIAS,
            LIFECYCLE,
            ("businessCriticality", FieldType::Leaf("String")),
            ("functionalSuitability", FieldType::Leaf("String")),
            ("technicalSuitability", FieldType::Leaf("String")),
        ],
        "ITComponent" => &[
            RELEASE,
            ALIAS,
            LIFECYCLE,
            ("category", FieldType::Leaf("String")),
        ],
        "Interface" => &[RELEASE, LIFECYCLE],
        "Project" | "Process" => &[LIFECYCLE],
        _ => &[],
    }
}

/// Whether `name` is a type of the schema.
pub(crate) fn is_type(name: &str) -> bool {
    name == BASE || is_fact_sheet_type(name) || !type_fields(name).is_empty()
}

/// Whether `name` is a concrete fact sheet type.
pub(crate) fn is_fact_sheet_type(name: &str) -> bool {
    TYPES.contains(&name)
}

/// The type of `field` on `type_name`, if defined there.
pub(crate) fn field(type_name: &str, field: &str) -> Option<FieldType> {
    let lookup =
        |fields: &[(&str, FieldType)]| fields.iter().find(|(n, _)| *n == field).map(|(_, t)| *t);
    if type_name == BASE || is_fact_sheet_type(type_name) {
        if let Some(t) = lookup(BASE_FIELDS) {
            return Some(t);
        }
    }
    lookup(type_fields(type_name))
}

/// The arguments `field` of `type_name` accepts.
pub(crate) fn arguments(type_name: &str, field: &str) -> &'static [&'static str] {
    match (type_name, field) {
        ("Query", "allFactSheets") => &["first", "after", "filter", "factSheetType", "sort"],
        ("Query", "factSheet") => &["id"],
        ("Mutation", "createFactSheet") => &["input", "patches", "validateOnly"],
        ("Mutation", "updateFactSheet") => &["id", "rev", "patches", "comment", "validateOnly"],
        _ => &[],
    }
}

/// Whether an object of concrete type `concrete` matches the type condition `condition`.
pub(crate) fn applies(concrete: &str, condition: &str) -> bool {
    concrete == condition || (condition == BASE && is_fact_sheet_type(concrete))
}
