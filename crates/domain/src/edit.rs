//! What becomes of one field that may also be removed, in a command that changes some fields of
//! an object and leaves the others.

/// Keep the field as it is, set it, or remove it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Edit<T> {
    #[default]
    Keep,
    Set(T),
    Remove,
}

impl<T> Edit<T> {
    /// Whether the field stays as it is.
    pub fn is_keep(&self) -> bool {
        matches!(self, Edit::Keep)
    }
}
