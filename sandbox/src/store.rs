//! The in-memory fact sheet inventory: lookups by id and type, and ordered
//! paging that both the REST and the GraphQL API use.
//!
//! Fact sheets keep their insertion position forever (new ones are appended,
//! changed ones replaced in place), so a cursor is simply a position: walking
//! pages visits every fact sheet exactly once, even while others are created.
//! Listings leave archived fact sheets out unless they ask for them.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use crate::model::FactSheet;
use crate::seed;

/// A stored fact sheet: its JSON (the REST representation, also what
/// GraphQL selects from) and that JSON pre-rendered as text.
pub(crate) struct Stored {
    /// The id.
    pub id: String,
    /// The fact sheet type.
    pub fs_type: &'static str,
    /// The JSON value.
    pub value: serde_json::Value,
    /// The JSON text.
    pub json: String,
    /// Whether its `status` is `ARCHIVED`.
    pub archived: bool,
}

impl Stored {
    fn new(fact_sheet: FactSheet) -> Stored {
        let value = serde_json::to_value(&fact_sheet).expect("fact sheet serializes");
        Stored::from_value(fact_sheet.fs_type, value)
    }

    pub(crate) fn from_value(fs_type: &'static str, value: serde_json::Value) -> Stored {
        Stored {
            id: value["id"].as_str().unwrap_or_default().to_owned(),
            fs_type,
            json: value.to_string(),
            archived: value["status"] == "ARCHIVED",
            value,
        }
    }

    fn text(&self, key: &str) -> &str {
        self.value[key].as_str().unwrap_or_default()
    }

    /// Its external id (`externalId.externalId`), if it has one.
    pub(crate) fn external_id(&self) -> Option<&str> {
        self.value["externalId"]["externalId"].as_str()
    }
}

/// Which fact sheets a listing includes.
#[derive(Debug, Default, Clone)]
pub(crate) struct Filter {
    /// Only these types (None: all).
    pub types: Option<HashSet<String>>,
    /// None of these types.
    pub exclude_types: HashSet<String>,
    /// Case-insensitive substring of the name or display name.
    pub text: Option<String>,
    /// Only these ids.
    pub ids: Option<HashSet<String>>,
    /// Only archived fact sheets (otherwise only the others).
    pub archived: bool,
}

impl Filter {
    fn matches(&self, s: &Stored) -> bool {
        if s.archived != self.archived || self.exclude_types.contains(s.fs_type) {
            return false;
        }
        if let Some(types) = &self.types {
            if !types.contains(s.fs_type) {
                return false;
            }
        }
        if let Some(ids) = &self.ids {
            if !ids.contains(&s.id) {
                return false;
            }
        }
        if let Some(text) = &self.text {
            let text = text.to_lowercase();
            if !s.text("name").to_lowercase().contains(&text)
                && !s.text("displayName").to_lowercase().contains(&text)
            {
                return false;
            }
        }
        true
    }

    fn only_types(&self) -> bool {
        !self.archived && self.exclude_types.is_empty() && self.text.is_none() && self.ids.is_none()
    }
}

/// One page of a listing.
pub(crate) struct Page {
    /// `(position, fact sheet)` in order.
    pub items: Vec<(usize, Arc<Stored>)>,
    /// How many fact sheets match the filter in all.
    pub total: usize,
    /// Whether more matching fact sheets follow this page.
    pub has_more: bool,
}

#[derive(Default)]
struct Inner {
    items: Vec<Arc<Stored>>,
    by_id: HashMap<String, usize>,
    by_type: HashMap<&'static str, Vec<usize>>,
    /// `(type, external id)` → position.
    by_external: HashMap<(&'static str, String), usize>,
    archived: usize,
}

impl Inner {
    fn push(&mut self, stored: Arc<Stored>) {
        let pos = self.items.len();
        self.by_id.insert(stored.id.clone(), pos);
        self.by_type.entry(stored.fs_type).or_default().push(pos);
        self.index(pos, &stored, true);
        self.items.push(stored);
    }

    fn replace(&mut self, pos: usize, stored: Arc<Stored>) {
        self.index(pos, &stored, true);
        let old = std::mem::replace(&mut self.items[pos], stored);
        self.index(pos, &old, false);
    }

    /// Adds `s` at `pos` to (or removes it from) the external-id index and the archived count.
    fn index(&mut self, pos: usize, s: &Stored, add: bool) {
        if let Some(ext) = s.external_id() {
            let key = (s.fs_type, ext.to_owned());
            if add {
                self.by_external.insert(key, pos);
            } else if self.by_external.get(&key) == Some(&pos)
                && self.items[pos].external_id() != Some(ext)
            {
                self.by_external.remove(&key);
            }
        }
        if s.archived {
            self.archived = if add {
                self.archived + 1
            } else {
                self.archived - 1
            };
        }
    }
}

/// The inventory.
pub(crate) struct Store {
    inner: RwLock<Inner>,
}

/// The first `count` seeded fact sheets. Generating and rendering them is
/// the costliest part of starting a sandbox, and they never change, so they
/// are made once per process and shared by all sandboxes.
fn seeded(count: usize) -> Vec<Arc<Stored>> {
    static CACHE: Mutex<Vec<Arc<Stored>>> = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() < count {
        // Generation is prefix-stable: a longer run starts with the cached items.
        let more = seed::generate(count).into_iter().skip(cache.len());
        let more: Vec<Arc<Stored>> = more.map(|fs| Arc::new(Stored::new(fs))).collect();
        cache.extend(more);
    }
    cache[..count].to_vec()
}

impl Store {
    /// An inventory holding the first `count` seeded fact sheets.
    pub(crate) fn seeded(count: usize) -> Store {
        let store = Store {
            inner: RwLock::new(Inner::default()),
        };
        {
            let mut inner = store.inner.write().unwrap();
            for stored in seeded(count) {
                inner.push(stored);
            }
        }
        store
    }

    /// Appends a fact sheet.
    pub(crate) fn insert(&self, fs_type: &'static str, value: serde_json::Value) -> Arc<Stored> {
        let stored = Arc::new(Stored::from_value(fs_type, value));
        self.inner.write().unwrap().push(stored.clone());
        stored
    }

    /// Replaces the fact sheet `id` with what `change` makes of it (in place,
    /// atomically); `None` if there is no such fact sheet.
    pub(crate) fn update<E>(
        &self,
        id: &str,
        change: impl FnOnce(&serde_json::Value) -> Result<serde_json::Value, E>,
    ) -> Option<Result<Arc<Stored>, E>> {
        let mut inner = self.inner.write().unwrap();
        let pos = *inner.by_id.get(id)?;
        let current = inner.items[pos].clone();
        Some(change(&current.value).map(|value| {
            let stored = Arc::new(Stored::from_value(current.fs_type, value));
            inner.replace(pos, stored.clone());
            stored
        }))
    }

    /// The fact sheet of this type with this external id.
    pub(crate) fn by_external_id(&self, fs_type: &str, external_id: &str) -> Option<Arc<Stored>> {
        let inner = self.inner.read().unwrap();
        let fs_type = crate::model::canonical_type(fs_type)?;
        let pos = inner.by_external.get(&(fs_type, external_id.to_owned()))?;
        Some(inner.items[*pos].clone())
    }

    /// How many fact sheets there are.
    pub(crate) fn len(&self) -> usize {
        self.inner.read().unwrap().items.len()
    }

    /// How many fact sheets are not archived (what listings and `totalCount` count).
    pub(crate) fn active_len(&self) -> usize {
        let inner = self.inner.read().unwrap();
        inner.items.len() - inner.archived
    }

    /// The fact sheet with this id.
    pub(crate) fn get(&self, id: &str) -> Option<Arc<Stored>> {
        let inner = self.inner.read().unwrap();
        inner.by_id.get(id).map(|&i| inner.items[i].clone())
    }

    /// Up to `limit` matching fact sheets at positions `>= start`.
    pub(crate) fn page(&self, filter: &Filter, start: usize, limit: usize) -> Page {
        let inner = self.inner.read().unwrap();
        let mut items = Vec::with_capacity(limit.min(1024));
        let mut has_more = false;
        let mut take = |pos: usize| {
            let s = &inner.items[pos];
            if !filter.matches(s) {
                return true;
            }
            if items.len() == limit {
                has_more = true;
                return false;
            }
            items.push((pos, s.clone()));
            true
        };
        match &filter.types {
            Some(types) => {
                // Merge the per-type position lists from `start` on.
                let mut lists: Vec<&[usize]> = types
                    .iter()
                    .filter_map(|t| inner.by_type.get(t.as_str()))
                    .map(|l| &l[l.partition_point(|&p| p < start)..])
                    .collect();
                while let Some((li, pos)) = lists
                    .iter()
                    .enumerate()
                    .filter_map(|(i, l)| l.first().map(|&p| (i, p)))
                    .min_by_key(|&(_, p)| p)
                {
                    lists[li] = &lists[li][1..];
                    if !take(pos) {
                        break;
                    }
                }
            }
            None => {
                for pos in start..inner.items.len() {
                    if !take(pos) {
                        break;
                    }
                }
            }
        }
        let total = match &filter.types {
            Some(types) if filter.only_types() && inner.archived == 0 => types
                .iter()
                .filter_map(|t| inner.by_type.get(t.as_str()))
                .map(Vec::len)
                .sum(),
            None if filter.only_types() => inner.items.len() - inner.archived,
            _ => inner.items.iter().filter(|s| filter.matches(s)).count(),
        };
        Page {
            items,
            total,
            has_more,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_everything_once() {
        let store = Store::seeded(300);
        for filter in [
            Filter::default(),
            Filter {
                types: Some(["Application".to_owned(), "Interface".to_owned()].into()),
                ..Filter::default()
            },
            Filter {
                text: Some("a".into()),
                ..Filter::default()
            },
        ] {
            let mut seen = HashSet::new();
            let mut start = 0;
            let mut total = None;
            loop {
                let page = store.page(&filter, start, 7);
                total = total.or(Some(page.total));
                for (pos, s) in &page.items {
                    assert!(seen.insert(s.id.clone()));
                    start = pos + 1;
                }
                if !page.has_more {
                    break;
                }
            }
            assert_eq!(Some(seen.len()), total);
        }
    }
}
