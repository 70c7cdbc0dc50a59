//! The in-memory fact sheet inventory: lookups by id and type, and ordered
//! paging that both the REST and the GraphQL API use.
//!
//! Fact sheets keep their insertion position forever (new ones are appended),
//! so a cursor is simply a position: walking pages visits every fact sheet
//! exactly once, even while others are created.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use crate::model::FactSheet;
use crate::seed;

/// A stored fact sheet with its pre-rendered JSON forms.
pub(crate) struct Stored {
    /// The fact sheet.
    pub fact_sheet: FactSheet,
    /// Its JSON text (the REST representation).
    pub json: String,
    /// Its JSON value (for GraphQL field selection).
    pub value: serde_json::Value,
}

impl Stored {
    fn new(fact_sheet: FactSheet) -> Stored {
        let json = serde_json::to_string(&fact_sheet).expect("fact sheet serializes");
        let value = serde_json::to_value(&fact_sheet).expect("fact sheet serializes");
        Stored {
            fact_sheet,
            json,
            value,
        }
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
}

impl Filter {
    fn matches(&self, s: &Stored) -> bool {
        let fs = &s.fact_sheet;
        if self.exclude_types.contains(fs.fs_type) {
            return false;
        }
        if let Some(types) = &self.types {
            if !types.contains(fs.fs_type) {
                return false;
            }
        }
        if let Some(ids) = &self.ids {
            if !ids.contains(&fs.id) {
                return false;
            }
        }
        if let Some(text) = &self.text {
            let text = text.to_lowercase();
            if !fs.name.to_lowercase().contains(&text)
                && !fs.display_name.to_lowercase().contains(&text)
            {
                return false;
            }
        }
        true
    }

    fn only_types(&self) -> bool {
        self.exclude_types.is_empty() && self.text.is_none() && self.ids.is_none()
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
}

impl Inner {
    fn push(&mut self, stored: Arc<Stored>) {
        let pos = self.items.len();
        self.by_id.insert(stored.fact_sheet.id.clone(), pos);
        self.by_type
            .entry(stored.fact_sheet.fs_type)
            .or_default()
            .push(pos);
        self.items.push(stored);
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
    pub(crate) fn insert(&self, fact_sheet: FactSheet) -> Arc<Stored> {
        let stored = Arc::new(Stored::new(fact_sheet));
        self.inner.write().unwrap().push(stored.clone());
        stored
    }

    /// How many fact sheets there are.
    pub(crate) fn len(&self) -> usize {
        self.inner.read().unwrap().items.len()
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
            Some(types) if filter.only_types() => types
                .iter()
                .filter_map(|t| inner.by_type.get(t.as_str()))
                .map(Vec::len)
                .sum(),
            None if filter.only_types() => inner.items.len(),
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
                    assert!(seen.insert(s.fact_sheet.id.clone()));
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
