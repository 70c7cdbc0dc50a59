//! Deterministic generation of a realistic inventory of fact sheets.
//!
//! The same count always yields the same fact sheets (ids included), and a
//! smaller inventory is a prefix of a larger one.

use std::collections::HashSet;

use fastrand::Rng;

use crate::clock::date;
use crate::ids;
use crate::model::{Completion, FactSheet, Lifecycle, Phase, Tag, TagGroup, TYPES};

const SEED: u64 = 0x1ea9_1c5a_db0c;

/// Relative frequency of each type in [`TYPES`] order.
const WEIGHTS: [u32; 10] = [25, 20, 10, 10, 12, 3, 2, 6, 5, 7];

#[rustfmt::skip]
const APP_SUBJECTS: &[&str] = &[
    "Customer", "Order", "Invoice", "Payroll", "Inventory", "Supplier", "Contract", "Claims",
    "Billing", "Procurement", "Warehouse", "Fleet", "Loyalty", "Pricing", "Quality", "Asset",
    "Document", "Identity", "Travel", "Expense", "Recruiting", "Learning", "Campaign", "Ticketing",
    "Treasury", "Tax", "Risk", "Compliance", "Product", "Partner",
];
#[rustfmt::skip]
const APP_KINDS: &[&str] = &[
    "Portal", "Management", "Hub", "Service", "Analytics", "Suite", "Tracker", "Planner", "Gateway",
    "Workbench", "Center", "Cloud",
];
const REGIONS: &[&str] = &[
    "EMEA", "APAC", "Americas", "Germany", "France", "UK", "US", "Japan",
];
#[rustfmt::skip]
const COMPONENTS: &[(&str, &str)] = &[
    ("Oracle Database", "Databases"), ("PostgreSQL", "Databases"),
    ("Microsoft SQL Server", "Databases"), ("MongoDB", "Databases"), ("Redis", "Databases"),
    ("SAP HANA", "Databases"), ("Red Hat Enterprise Linux", "Operating Systems"),
    ("Windows Server", "Operating Systems"), ("Ubuntu Server", "Operating Systems"),
    ("Apache Kafka", "Messaging"), ("RabbitMQ", "Messaging"), ("IBM MQ", "Messaging"),
    ("Kubernetes", "Container Platforms"), ("Docker Engine", "Container Platforms"),
    ("OpenShift", "Container Platforms"), ("Nginx", "Web Servers"),
    ("Apache HTTP Server", "Web Servers"), ("Apache Tomcat", "Application Servers"),
    ("WildFly", "Application Servers"), ("Elasticsearch", "Analytics Platforms"),
    ("Snowflake", "Analytics Platforms"), ("Jenkins", "CI/CD"), ("GitLab", "CI/CD"),
    ("Okta", "Identity & Access"), ("Active Directory", "Identity & Access"),
    ("Grafana", "Monitoring"), ("Prometheus", "Monitoring"), ("Splunk Enterprise", "Monitoring"),
    ("Amazon S3", "Storage"), ("Azure Blob Storage", "Storage"),
    ("Java Runtime", "Programming Languages"), ("Node.js", "Programming Languages"),
    (".NET Runtime", "Programming Languages"), ("Python", "Programming Languages"),
    ("MuleSoft Anypoint", "Integration Platforms"), ("Microsoft Exchange", "Collaboration"),
];
#[rustfmt::skip]
const DOMAINS: &[&str] = &[
    "Customer Management", "Finance", "Human Resources", "Supply Chain", "Sales", "Marketing",
    "Manufacturing", "Research & Development", "IT Management", "Legal & Compliance", "Procurement",
    "Logistics",
];
#[rustfmt::skip]
const SUBAREAS: &[&str] = &[
    "Planning", "Operations", "Reporting", "Analytics", "Governance", "Service", "Optimization",
    "Administration", "Controlling", "Strategy",
];
#[rustfmt::skip]
const DATA_SUBJECTS: &[&str] = &[
    "Customer", "Order", "Invoice", "Employee", "Product", "Supplier", "Contract", "Payment",
    "Shipment", "Account", "Asset", "Ticket", "Campaign", "Lead", "Opportunity", "Price List",
    "Material", "Bill of Materials", "Purchase Order", "Sales Order", "Journal Entry",
    "Cost Center", "Budget", "Timesheet",
];
const DATA_KINDS: &[&str] = &[
    "Master Data",
    "Transaction",
    "Record",
    "History",
    "Snapshot",
    "Archive",
];
const SYSTEMS: &[&str] = &[
    "CRM", "ERP", "HRIS", "DWH", "PIM", "WMS", "MES", "PLM", "Billing", "Portal", "BI", "IAM",
];
#[rustfmt::skip]
const PROVIDERS: &[&str] = &[
    "SAP", "Microsoft", "Oracle", "Salesforce", "IBM", "Amazon Web Services", "Google",
    "ServiceNow", "Atlassian", "Adobe", "Workday", "Red Hat", "VMware", "Cisco", "Okta",
    "Snowflake", "Databricks", "Elastic", "MongoDB Inc.", "Confluent", "HashiCorp", "GitLab Inc.",
    "Datadog", "Splunk", "Zendesk", "HubSpot", "Twilio", "Stripe", "DocuSign", "Box",
];
#[rustfmt::skip]
const STACKS: &[&str] = &[
    "Databases", "Application Servers", "Operating Systems", "Messaging", "Container Platforms",
    "Monitoring", "CI/CD", "Identity & Access", "Storage", "Networking", "Analytics Platforms",
    "Programming Languages", "Web Servers", "Integration Platforms", "Collaboration",
];
#[rustfmt::skip]
const DEPARTMENTS: &[&str] = &[
    "Sales", "Marketing", "Finance", "Human Resources", "IT Operations", "Customer Service",
    "Legal", "Procurement", "Logistics", "Manufacturing", "R&D", "Executive Board", "Controlling",
    "Facility Management",
];
#[rustfmt::skip]
const PROJECTS: &[&str] = &[
    "Cloud Migration", "ERP Consolidation", "CRM Replacement", "Data Platform Modernization",
    "Zero Trust Rollout", "API Strategy", "Mainframe Exit", "Customer Portal Relaunch",
    "Analytics Self-Service", "S/4HANA Transformation", "Legacy Decommissioning", "Network Refresh",
    "Mobile First", "Process Automation", "Vendor Consolidation",
];
#[rustfmt::skip]
const PROCESSES: &[&str] = &[
    "Order to Cash", "Procure to Pay", "Hire to Retire", "Record to Report", "Plan to Produce",
    "Lead to Order", "Issue to Resolution", "Idea to Market", "Quote to Contract",
    "Request to Fulfill", "Forecast to Plan", "Design to Release",
];
const PROCESS_STEPS: &[&str] = &[
    "Initiate", "Validate", "Approve", "Execute", "Monitor", "Settle", "Close", "Review",
];
const CRITICALITY: &[&str] = &[
    "administrativeService",
    "businessOperational",
    "businessCritical",
    "missionCritical",
];
const FUNCTIONAL_FIT: &[&str] = &["unreasonable", "insufficient", "appropriate", "perfect"];
const TECHNICAL_FIT: &[&str] = &[
    "inappropriate",
    "unreasonable",
    "adequate",
    "fullyAppropriate",
];
const SEALS: &[&str] = &["APPROVED", "APPROVED", "APPROVED", "BROKEN", "DISABLED"];
/// The lifecycle phases, in order.
pub(crate) const PHASES: [&str; 5] = ["plan", "phaseIn", "active", "phaseOut", "endOfLife"];
/// 2025-06-01, the "today" against which lifecycles are evaluated.
pub(crate) const REFERENCE_DAY: i64 = 20_240;

struct TagDef {
    name: &'static str,
    color: &'static str,
    group: Option<usize>,
}
const TAG_GROUPS: &[(&str, &str)] = &[("Cloud Readiness", "CR"), ("Hosting", "HO")];
#[rustfmt::skip]
const TAGS: &[TagDef] = &[
    TagDef { name: "Cloud Native", color: "#2e7d32", group: Some(0) },
    TagDef { name: "Cloud Ready", color: "#66bb6a", group: Some(0) },
    TagDef { name: "Not Cloud Ready", color: "#c62828", group: Some(0) },
    TagDef { name: "SaaS", color: "#1565c0", group: Some(1) },
    TagDef { name: "On-Premise", color: "#6d4c41", group: Some(1) },
    TagDef { name: "IaaS", color: "#00838f", group: Some(1) },
    TagDef { name: "GDPR", color: "#7b1fa2", group: None },
    TagDef { name: "Strategic", color: "#f9a825", group: None },
    TagDef { name: "Legacy", color: "#757575", group: None },
    TagDef { name: "Sunset", color: "#ef6c00", group: None },
];

/// The workspace's tags (with their groups), as fact sheets carry them.
pub(crate) fn tags() -> Vec<Tag> {
    Generator::new().tags
}

/// Generates `count` fact sheets.
pub(crate) fn generate(count: usize) -> Vec<FactSheet> {
    let mut g = Generator::new();
    (0..count).map(|_| g.next()).collect()
}

struct Generator {
    rng: Rng,
    seen: HashSet<(&'static str, String)>,
    counters: [usize; 10],
    tags: Vec<Tag>,
}

impl Generator {
    fn new() -> Generator {
        let mut rng = Rng::with_seed(SEED);
        let groups: Vec<TagGroup> = TAG_GROUPS
            .iter()
            .map(|(name, short)| TagGroup {
                id: ids::uuid_v4(&mut rng),
                name,
                short_name: short,
                mode: "SINGLE",
            })
            .collect();
        let tags = TAGS
            .iter()
            .map(|t| Tag {
                id: ids::uuid_v4(&mut rng),
                name: t.name,
                description: None,
                color: t.color,
                tag_group: t.group.map(|g| groups[g].clone()),
            })
            .collect();
        Generator {
            rng,
            seen: HashSet::new(),
            counters: [0; 10],
            tags,
        }
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.usize(..items.len())]
    }

    fn next(&mut self) -> FactSheet {
        let total: u32 = WEIGHTS.iter().sum();
        let mut roll = self.rng.u32(..total);
        let mut t = 0;
        while roll >= WEIGHTS[t] {
            roll -= WEIGHTS[t];
            t += 1;
        }
        let fs_type = TYPES[t];
        let n = self.counters[t];
        self.counters[t] += 1;
        let id = ids::uuid_v4(&mut self.rng);
        let (name, release, parent, description) = self.naming(fs_type, n);
        let level = if parent.is_some() { 2 } else { 1 };
        let mut display = match &release {
            Some(r) => format!("{name} {r}"),
            None => name.clone(),
        };
        let mut name = name;
        let mut suffix = 2;
        while !self.seen.insert((fs_type, display.clone())) {
            name = format!(
                "{} {suffix}",
                name.trim_end_matches(|c: char| c.is_ascii_digit())
                    .trim_end()
            );
            display = match &release {
                Some(r) => format!("{name} {r}"),
                None => name.clone(),
            };
            suffix += 1;
        }
        let full_name = match &parent {
            Some(p) => format!("{p} / {display}"),
            None => display.clone(),
        };
        let display_name = full_name.clone();

        let created = self.rng.i64(17_532..20_089); // 2018-01-01 ..= 2024-12-31
        let updated = (created + self.rng.i64(0..400)).min(REFERENCE_DAY);
        let has_lifecycle = matches!(
            fs_type,
            "Application" | "ITComponent" | "Interface" | "Project" | "Process"
        );
        let lifecycle = has_lifecycle.then(|| self.lifecycle(created));
        let is_app = fs_type == "Application";
        let completion = f64::from(self.rng.u32(35..=100)) / 100.0;
        let tag_count = self.rng.usize(0..=3);
        let mut tags: Vec<Tag> = Vec::new();
        for _ in 0..tag_count {
            let tag = self.tags[self.rng.usize(..self.tags.len())].clone();
            let clashes = tags.iter().any(|t| {
                t.name == tag.name
                    || (t.tag_group.is_some()
                        && t.tag_group.as_ref().map(|g| &g.name)
                            == tag.tag_group.as_ref().map(|g| &g.name))
            });
            if !clashes {
                tags.push(tag);
            }
        }
        FactSheet {
            id,
            fs_type,
            name,
            display_name,
            full_name,
            description,
            release,
            alias: (is_app && self.rng.u8(..4) == 0).then(|| abbreviation(&display)),
            level,
            status: "ACTIVE",
            lifecycle,
            business_criticality: is_app.then(|| self.pick(CRITICALITY)),
            functional_suitability: is_app.then(|| self.pick(FUNCTIONAL_FIT)),
            technical_suitability: is_app.then(|| self.pick(TECHNICAL_FIT)),
            category: (fs_type == "ITComponent")
                .then(|| self.pick(&["software", "software", "software", "service"])),
            tags,
            quality_seal: self.pick(SEALS),
            completion: Completion {
                completion,
                percentage: (completion * 100.0).round() as u32,
            },
            rev: self.rng.u64(1..60),
            created_at: timestamp(created, &mut self.rng),
            updated_at: timestamp(updated, &mut self.rng),
        }
    }

    /// Name, release, parent name and description for the `n`-th fact sheet of a type.
    fn naming(
        &mut self,
        fs_type: &'static str,
        n: usize,
    ) -> (String, Option<String>, Option<String>, String) {
        match fs_type {
            "Application" => {
                let subject = self.pick(APP_SUBJECTS);
                let kind = self.pick(APP_KINDS);
                let mut name = format!("{subject} {kind}");
                if self.rng.u8(..3) == 0 {
                    name = format!("{name} {}", self.pick(REGIONS));
                }
                let release = (self.rng.u8(..3) > 0)
                    .then(|| format!("{}.{}", self.rng.u8(1..6), self.rng.u8(0..10)));
                let desc = format!(
                    "{name} supports the {} department in managing {} processes. Operated by {} IT.",
                    self.pick(DEPARTMENTS).to_lowercase(),
                    subject.to_lowercase(),
                    self.pick(REGIONS)
                );
                (name, release, None, desc)
            }
            "ITComponent" => {
                let (name, stack) = self.pick(COMPONENTS);
                let release = format!("{}.{}", self.rng.u8(1..20), self.rng.u8(0..10));
                let desc = format!("{name} {release}, part of the {stack} technology stack.");
                (name.to_owned(), Some(release), None, desc)
            }
            "BusinessCapability" => {
                if n < DOMAINS.len() {
                    let name = DOMAINS[n].to_owned();
                    let desc = format!(
                        "Top-level capability covering everything {} does.",
                        name.to_lowercase()
                    );
                    (name, None, None, desc)
                } else {
                    let domain = self.pick(DOMAINS);
                    let name = format!(
                        "{} {}",
                        domain.split(' ').next().unwrap_or(domain),
                        self.pick(SUBAREAS)
                    );
                    let desc = format!(
                        "The ability to perform {} within {domain}.",
                        name.to_lowercase()
                    );
                    (name, None, Some(domain.to_owned()), desc)
                }
            }
            "DataObject" => {
                let subject = self.pick(DATA_SUBJECTS);
                let name = format!("{subject} {}", self.pick(DATA_KINDS));
                let desc = format!(
                    "{name} as exchanged between the {} and the {}.",
                    self.pick(SYSTEMS),
                    self.pick(SYSTEMS)
                );
                (name, None, None, desc)
            }
            "Interface" => {
                let from = self.pick(SYSTEMS);
                let mut to = self.pick(SYSTEMS);
                if to == from {
                    to = "DWH";
                }
                let data = self.pick(DATA_SUBJECTS);
                let name = format!("{from} to {to} {data} Feed");
                let release = (self.rng.u8(..2) == 0).then(|| format!("v{}", self.rng.u8(1..4)));
                let desc = format!(
                    "Transfers {} data from the {from} to the {to} every {} minutes.",
                    data.to_lowercase(),
                    self.pick(&[5, 15, 30, 60])
                );
                (name, release, None, desc)
            }
            "Provider" => {
                let name = if n < PROVIDERS.len() {
                    PROVIDERS[n].to_owned()
                } else {
                    format!("{} {}", self.pick(PROVIDERS), self.pick(REGIONS))
                };
                let desc =
                    format!("{name}, vendor of software and services used across the company.");
                (name, None, None, desc)
            }
            "TechnicalStack" => {
                let name = self.pick(STACKS).to_owned();
                let desc = format!("Standard technologies for {}.", name.to_lowercase());
                (name, None, None, desc)
            }
            "UserGroup" => {
                let name = format!("{} {}", self.pick(DEPARTMENTS), self.pick(REGIONS));
                let desc = format!("Employees of {name}.");
                (name, None, None, desc)
            }
            "Project" => {
                let name = format!("{} Wave {}", self.pick(PROJECTS), self.rng.u8(1..6));
                let desc = format!(
                    "{name}: a {}-month initiative sponsored by {}.",
                    self.rng.u8(3..25),
                    self.pick(DEPARTMENTS)
                );
                (name, None, None, desc)
            }
            _ => {
                let process = self.pick(PROCESSES);
                if n < PROCESSES.len() {
                    let name = PROCESSES[n].to_owned();
                    let desc = format!("The end-to-end {} process.", name.to_lowercase());
                    (name, None, None, desc)
                } else {
                    let name = format!("{process}: {}", self.pick(PROCESS_STEPS));
                    let desc = format!("A step of the {} process.", process.to_lowercase());
                    (name, None, Some(process.to_owned()), desc)
                }
            }
        }
    }

    fn lifecycle(&mut self, created: i64) -> Lifecycle {
        let mut day = created;
        let count = self.rng.usize(2..=5);
        let mut phases = Vec::with_capacity(count);
        let mut current = PHASES[0];
        for phase in PHASES.iter().take(count) {
            if day <= REFERENCE_DAY {
                current = phase;
            }
            phases.push(Phase {
                phase,
                start_date: date(day),
            });
            day += self.rng.i64(60..900);
        }
        Lifecycle {
            as_string: current,
            phases,
        }
    }
}

fn abbreviation(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn timestamp(day: i64, rng: &mut Rng) -> String {
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        date(day),
        rng.u8(6..20),
        rng.u8(0..60),
        rng.u8(0..60),
        rng.u16(0..1000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_unique_and_prefix_stable() {
        let a = generate(500);
        let b = generate(800);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.id, y.id);
            assert_eq!(x.display_name, y.display_name);
        }
        let ids: HashSet<_> = b.iter().map(|f| &f.id).collect();
        assert_eq!(ids.len(), b.len());
        let names: HashSet<_> = b.iter().map(|f| (f.fs_type, &f.display_name)).collect();
        assert_eq!(names.len(), b.len());
        for t in TYPES {
            assert!(b.iter().any(|f| f.fs_type == t), "{t} missing");
        }
    }
}
