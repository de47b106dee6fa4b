//! The search history beside the embedded index: how often each normalised query was searched,
//! for autocomplete. In memory, sorted by keystrokes and by 초성 for prefix scans, and saved to
//! `query-history.json` in the index directory at most once a second.
//!
//! It is no projection of the log (searches are not events), so a rebuild keeps it. Several
//! processes may count into one file (API instances beside a writing worker): each saves what
//! it counted since its last save added to what the file holds, so counts add up; two saves at
//! the same instant can lose one of them, which a popularity count can afford. A crash loses at
//! most the last second's searches.

use std::{
    collections::{BTreeSet, HashMap},
    path::PathBuf,
    sync::Mutex,
    time::{Duration, Instant},
};

use jangteo_korean_text as korean;

use crate::{
    BackendError, ReadModelError, Suggestion, SuggestionSource,
    search::{QUERY_WEIGHT, TypedPrefix},
};

const FILE_NAME: &str = "query-history.json";
const SAVE_INTERVAL: Duration = Duration::from_secs(1);
/// Beyond this many distinct queries, the least searched are forgotten, down to [`KEEP_QUERIES`].
const MAX_QUERIES: usize = 50_000;
const KEEP_QUERIES: usize = 40_000;
/// Longer queries are not counted: nobody completes to them.
const MAX_QUERY_CHARS: usize = 60;
/// A query searched fewer times is never suggested: one search is no popularity, and it may be
/// something personal (a name, a phone number).
pub(super) const MIN_SUGGESTED_COUNT: u64 = 2;
/// The most index entries one prefix scan looks at, so that a one-keystroke prefix stays fast.
const MAX_SCANNED: usize = 20_000;

pub(super) struct QueryHistory {
    /// `None`: in memory only.
    path: Option<PathBuf>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    counts: HashMap<String, u64>,
    /// (keystrokes, query) and (초성, query): prefix scans.
    by_keys: BTreeSet<(String, String)>,
    by_choseong: BTreeSet<(String, String)>,
    /// Counted since the last save.
    unsaved: HashMap<String, u64>,
    saved_at: Option<Instant>,
}

impl State {
    fn insert(&mut self, query: String, count: u64) {
        if !self.counts.contains_key(&query) {
            self.by_keys.insert((korean::keystrokes(&query), query.clone()));
            let initials = korean::choseong(&query);
            if !initials.is_empty() {
                self.by_choseong.insert((initials, query.clone()));
            }
        }
        self.counts.insert(query, count);
    }

    fn replace(&mut self, counts: HashMap<String, u64>) {
        let unsaved = std::mem::take(&mut self.unsaved);
        let saved_at = self.saved_at;
        *self = State { unsaved, saved_at, ..State::default() };
        for (query, count) in counts {
            self.insert(query, count);
        }
    }
}

fn io_error(error: impl std::fmt::Display) -> ReadModelError {
    ReadModelError::Search(BackendError::new(format!("search history: {error}")))
}

impl QueryHistory {
    pub(super) fn in_memory() -> Self {
        Self { path: None, state: Mutex::new(State::default()) }
    }

    /// The history saved in `dir`, or an empty one.
    pub(super) fn open(dir: &std::path::Path) -> Result<Self, ReadModelError> {
        let path = dir.join(FILE_NAME);
        let history = Self { path: Some(path.clone()), state: Mutex::new(State::default()) };
        let counts = read(&path)?;
        history.lock()?.replace(counts);
        Ok(history)
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, State>, ReadModelError> {
        self.state.lock().map_err(|_| io_error("poisoned by a panic"))
    }

    /// Counts one search of `text`; saves when the last save is a second old. Blocking.
    pub(super) fn record(&self, text: &str) -> Result<(), ReadModelError> {
        let query = korean::normalize_query(text);
        if query.is_empty() || query.chars().count() > MAX_QUERY_CHARS {
            return Ok(());
        }
        let mut state = self.lock()?;
        let count = state.counts.get(&query).copied().unwrap_or(0) + 1;
        state.insert(query.clone(), count);
        *state.unsaved.entry(query).or_insert(0) += 1;
        let due = state.saved_at.is_none_or(|at| at.elapsed() >= SAVE_INTERVAL);
        if due { self.save(&mut state) } else { Ok(()) }
    }

    /// Writes what was counted since the last save into the file, and reads back what other
    /// processes counted.
    fn save(&self, state: &mut State) -> Result<(), ReadModelError> {
        state.saved_at = Some(Instant::now());
        let Some(path) = &self.path else {
            state.unsaved.clear();
            return Ok(());
        };
        if state.unsaved.is_empty() {
            return Ok(());
        }
        let mut counts = read(path)?;
        for (query, count) in state.unsaved.drain() {
            *counts.entry(query).or_insert(0) += count;
        }
        if counts.len() > MAX_QUERIES {
            let mut ranked: Vec<(String, u64)> = counts.into_iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            ranked.truncate(KEEP_QUERIES);
            counts = ranked.into_iter().collect();
        }
        let mut entries: Vec<(&String, &u64)> = counts.iter().collect();
        entries.sort();
        let json = serde_json::to_vec(&entries).map_err(io_error)?;
        let temporary = path.with_extension("json.tmp");
        std::fs::write(&temporary, json).map_err(io_error)?;
        std::fs::rename(&temporary, path).map_err(io_error)?;
        state.replace(counts);
        Ok(())
    }

    /// Saves what is unsaved (on shutdown).
    pub(super) fn flush(&self) -> Result<(), ReadModelError> {
        let mut state = self.lock()?;
        self.save(&mut state)
    }

    /// Past queries completing `typed`, most searched first.
    pub(super) fn suggest(
        &self,
        prefix: &str,
        typed: &TypedPrefix,
        limit: usize,
    ) -> Result<Vec<Suggestion>, ReadModelError> {
        let state = self.lock()?;
        let (index, key) = if typed.choseong && typed.head.is_none() {
            (&state.by_choseong, typed.key.clone())
        } else {
            (&state.by_keys, korean::keystrokes(&korean::normalize_query(prefix)))
        };
        let mut found: Vec<(u64, &String)> = index
            .range((key.clone(), String::new())..)
            .take(MAX_SCANNED)
            .take_while(|(entry_key, _)| entry_key.starts_with(&key))
            .filter_map(|(_, query)| {
                let count = state.counts.get(query).copied().unwrap_or(0);
                (count >= MIN_SUGGESTED_COUNT).then_some((count, query))
            })
            .collect();
        found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        let suggestions = found
            .into_iter()
            .take(limit)
            .map(|(count, query)| Suggestion {
                text: query.clone(),
                source: SuggestionSource::Query,
                score: count as f64 * QUERY_WEIGHT,
            })
            .collect();
        Ok(suggestions)
    }
}

impl Drop for QueryHistory {
    fn drop(&mut self) {
        if let Err(error) = self.flush() {
            tracing::warn!(%error, "saving the search history failed");
        }
    }
}

fn read(path: &std::path::Path) -> Result<HashMap<String, u64>, ReadModelError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let entries: Vec<(String, u64)> = serde_json::from_slice(&bytes)
                .map_err(|error| ReadModelError::Corrupt(format!("{}: {error}", path.display())))?;
            Ok(entries.into_iter().collect())
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(HashMap::new()),
        Err(error) => Err(io_error(error)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failed expectation is a failed test")]

    use super::*;

    fn texts(suggestions: &[Suggestion]) -> Vec<&str> {
        suggestions.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn popular_queries_complete_a_prefix() {
        let history = QueryHistory::in_memory();
        for query in [
            "아이폰 15",
            "아이폰  15",
            "아이폰 15",
            "아이패드",
            "아이패드",
            "아이폰 케이스",
            "갤럭시",
            "갤럭시",
        ] {
            history.record(query).unwrap();
        }
        let typed = TypedPrefix::parse("아이").unwrap();
        let found = history.suggest("아이", &typed, 5).unwrap();
        assert_eq!(texts(&found), vec!["아이폰 15", "아이패드"], "아이폰 케이스 was searched once");
        assert!((found[0].score - 3.0 * QUERY_WEIGHT).abs() < 1e-9);
        let initials = TypedPrefix::parse("ㄱㄹ").unwrap();
        assert_eq!(texts(&history.suggest("ㄱㄹ", &initials, 5).unwrap()), vec!["갤럭시"]);
    }

    #[test]
    fn counts_survive_reopening_and_add_up_across_handles() {
        let dir = tempfile::tempdir().unwrap();
        let first = QueryHistory::open(dir.path()).unwrap();
        let second = QueryHistory::open(dir.path()).unwrap();
        first.record("자전거").unwrap();
        second.record("자전거").unwrap();
        first.record("자전거").unwrap();
        drop(first);
        drop(second);
        let reopened = QueryHistory::open(dir.path()).unwrap();
        assert_eq!(reopened.lock().unwrap().counts.get("자전거"), Some(&3));
    }

    #[test]
    fn long_and_empty_queries_are_not_counted() {
        let history = QueryHistory::in_memory();
        history.record("   ").unwrap();
        history.record(&"가".repeat(61)).unwrap();
        assert!(history.lock().unwrap().counts.is_empty());
    }
}
