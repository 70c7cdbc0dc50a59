//! The fact sheet model, in the shape Pathfinder returns it.

use serde::Serialize;

/// The fact sheet types of the sandbox's meta model (LeanIX's standard ten); the seeded fact
/// sheets cover every one.
pub const TYPES: [&str; 10] = [
    "Application",
    "ITComponent",
    "BusinessCapability",
    "DataObject",
    "Interface",
    "Provider",
    "TechnicalStack",
    "UserGroup",
    "Project",
    "Process",
];

/// Canonical spelling of a fact sheet type name, if it is one.
pub(crate) fn canonical_type(name: &str) -> Option<&'static str> {
    TYPES.into_iter().find(|t| *t == name)
}

/// A fact sheet.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FactSheet {
    pub id: String,
    #[serde(rename = "type")]
    pub fs_type: &'static str,
    pub name: String,
    pub display_name: String,
    pub full_name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    pub level: u32,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_criticality: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub functional_suitability: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub technical_suitability: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<&'static str>,
    pub tags: Vec<Tag>,
    pub quality_seal: &'static str,
    pub completion: Completion,
    pub rev: u64,
    pub created_at: String,
    pub updated_at: String,
}

/// A lifecycle: dated phases and the current one.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Lifecycle {
    pub as_string: &'static str,
    pub phases: Vec<Phase>,
}

/// One lifecycle phase.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Phase {
    pub phase: &'static str,
    pub start_date: String,
}

/// A tag, possibly in a tag group.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Tag {
    pub id: String,
    pub name: &'static str,
    pub description: Option<&'static str>,
    pub color: &'static str,
    pub tag_group: Option<TagGroup>,
}

/// A tag group.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TagGroup {
    pub id: String,
    pub name: &'static str,
    pub short_name: &'static str,
    pub mode: &'static str,
}

/// How complete the fact sheet's data is.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Completion {
    pub completion: f64,
    pub percentage: u32,
}
