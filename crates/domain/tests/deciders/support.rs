//! The harness: replay the given events, decide the command, compare, and check that the produced
//! events apply (events are facts: `evolve` must accept whatever `decide` emits).

use std::fmt::Debug;

use jangteo_domain::{Aggregate, DomainError};

/// One row of a decider table.
pub struct Case<A: Aggregate> {
    pub name: &'static str,
    pub given: Vec<A::Event>,
    pub when: A::Command,
    pub then: Result<Vec<A::Event>, DomainError>,
}

pub fn run<A>(cases: Vec<Case<A>>)
where
    A: Aggregate + Debug + PartialEq,
    A::Event: PartialEq + Debug,
{
    for case in cases {
        let state = A::replay(&case.given);
        let decided = state.decide(case.when);
        assert_eq!(decided, case.then, "case: {}", case.name);
        if let Ok(events) = decided {
            let mut all = case.given.clone();
            all.extend(events.iter().cloned());
            let after = events.iter().fold(A::replay(&case.given), A::evolve);
            assert_eq!(after, A::replay(&all), "case: {} (evolve is a fold)", case.name);
        }
    }
}
