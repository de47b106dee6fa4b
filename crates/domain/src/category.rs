//! The category tree (카테고리): three levels, each category named in Korean and English, changed
//! only by admins.
//!
//! The whole tree is one aggregate on one stream: the rules that matter (three levels at most, no
//! cycles, unique names among siblings, no retiring a category with live children) are about the
//! tree, not one category, and admins change it a few times a year, so one stream costs nothing
//! in contention. A retired category keeps its place and id, so listings filed under it stay
//! findable by its ancestors, but nothing new goes in or under it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Aggregate, CategoryId, CategoryName, CategoryRefusal, DomainError, DomainEvent, Kind};

/// How deep the tree goes: 대분류 › 중분류 › 소분류.
pub const MAX_DEPTH: usize = 3;

/// The tree's one stream. Fixed forever.
pub const TREE_STREAM_ID: Uuid = Uuid::from_u128(0xca7e_9091_7e3e_4a11_8b5c_0d1e_2f3a_4b5c);

/// A category's name in the languages Jangteo speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryNames {
    pub ko: CategoryName,
    pub en: CategoryName,
}

/// One category as the tree holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub category_id: CategoryId,
    pub parent_id: Option<CategoryId>,
    pub names: CategoryNames,
    pub retired: bool,
    /// The order of creation: siblings are listed in it.
    pub position: u32,
}

/// The tree as its events leave it. `Default` is the tree before its first event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryTreeState {
    categories: BTreeMap<CategoryId, Category>,
}

/// A category to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCategory {
    pub category_id: CategoryId,
    pub parent_id: Option<CategoryId>,
    pub names: CategoryNames,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryCommand {
    /// Plants the default tree, in parent-before-child order, into an empty tree.
    Seed {
        categories: Vec<NewCategory>,
    },
    Create(NewCategory),
    /// Renames a category; the names it already has produce no event.
    Rename {
        category_id: CategoryId,
        names: CategoryNames,
    },
    /// Moves a category, with everything under it, under another parent (`None`: to the top).
    Move {
        category_id: CategoryId,
        parent_id: Option<CategoryId>,
    },
    Retire {
        category_id: CategoryId,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum CategoryEvent {
    CategoryCreated { category_id: CategoryId, parent_id: Option<CategoryId>, names: CategoryNames },
    CategoryRenamed { category_id: CategoryId, names: CategoryNames },
    CategoryMoved { category_id: CategoryId, from: Option<CategoryId>, to: Option<CategoryId> },
    CategoryRetired { category_id: CategoryId },
}

impl DomainEvent for CategoryEvent {
    fn event_type(&self) -> &'static str {
        match self {
            CategoryEvent::CategoryCreated { .. } => "CategoryCreated",
            CategoryEvent::CategoryRenamed { .. } => "CategoryRenamed",
            CategoryEvent::CategoryMoved { .. } => "CategoryMoved",
            CategoryEvent::CategoryRetired { .. } => "CategoryRetired",
        }
    }
}

fn refuse(refusal: CategoryRefusal) -> DomainError {
    DomainError::Category(refusal)
}

impl CategoryTreeState {
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
    }

    pub fn get(&self, category_id: &CategoryId) -> Option<&Category> {
        self.categories.get(category_id)
    }

    /// Every category, retired ones too.
    pub fn all(&self) -> impl Iterator<Item = &Category> {
        self.categories.values()
    }

    /// The categories directly under `parent_id` (`None`: the top level), in creation order.
    pub fn children(&self, parent_id: Option<&CategoryId>) -> Vec<&Category> {
        let mut children: Vec<&Category> =
            self.categories.values().filter(|category| category.parent_id.as_ref() == parent_id).collect();
        children.sort_by_key(|category| category.position);
        children
    }

    fn has_live_children(&self, category_id: &CategoryId) -> bool {
        self.categories
            .values()
            .any(|category| category.parent_id.as_ref() == Some(category_id) && !category.retired)
    }

    /// How deep `category_id` sits: 1 at the top.
    fn depth(&self, category_id: &CategoryId) -> usize {
        let mut depth = 0;
        let mut at = Some(category_id);
        while let Some(id) = at {
            depth += 1;
            at = self.categories.get(id).and_then(|category| category.parent_id.as_ref());
            // The rules keep the tree acyclic; this guard only bounds a walk over corrupt state.
            if depth > self.categories.len() {
                break;
            }
        }
        depth
    }

    /// How many levels `category_id` and what is under it take: 1 for a leaf.
    fn height(&self, category_id: &CategoryId) -> usize {
        1 + self
            .categories
            .values()
            .filter(|category| category.parent_id.as_ref() == Some(category_id))
            .map(|child| self.height(&child.category_id))
            .max()
            .unwrap_or(0)
    }

    /// `category_id` and every category under it, retired ones too (listings filed there
    /// before the retirement are still found by their ancestors). Empty if there is no such
    /// category.
    pub fn with_descendants(&self, category_id: &CategoryId) -> Vec<CategoryId> {
        if !self.categories.contains_key(category_id) {
            return Vec::new();
        }
        let mut found = vec![category_id.clone()];
        let mut next = 0;
        while next < found.len() {
            let parent = found[next].clone();
            found.extend(self.children(Some(&parent)).into_iter().map(|child| child.category_id.clone()));
            next += 1;
        }
        found
    }

    /// The path from the top down to `category_id`, itself last. Empty if there is no such category.
    pub fn path(&self, category_id: &CategoryId) -> Vec<&Category> {
        let mut path = Vec::new();
        let mut at = self.categories.get(category_id);
        while let Some(category) = at {
            path.push(category);
            if path.len() > MAX_DEPTH {
                break;
            }
            at = category.parent_id.as_ref().and_then(|parent| self.categories.get(parent));
        }
        path.reverse();
        path
    }

    /// Whether a listing may be filed under `category_id`: a live category with no live one under it.
    pub fn check_listing_category(&self, category_id: &CategoryId) -> Result<(), DomainError> {
        let category = self.categories.get(category_id).ok_or(refuse(CategoryRefusal::Unknown))?;
        if category.retired {
            return Err(refuse(CategoryRefusal::Retired));
        }
        if self.has_live_children(category_id) {
            return Err(refuse(CategoryRefusal::NotLeaf));
        }
        Ok(())
    }

    fn live(&self, category_id: &CategoryId) -> Result<&Category, DomainError> {
        let category = self.categories.get(category_id).ok_or(DomainError::NotFound(Kind::Category))?;
        if category.retired {
            return Err(refuse(CategoryRefusal::Retired));
        }
        Ok(category)
    }

    /// Whether a live sibling under `parent_id`, other than `except`, has one of `names`.
    fn name_taken(
        &self,
        parent_id: Option<&CategoryId>,
        names: &CategoryNames,
        except: Option<&CategoryId>,
    ) -> bool {
        self.children(parent_id).into_iter().any(|sibling| {
            Some(&sibling.category_id) != except
                && !sibling.retired
                && (sibling.names.ko == names.ko || sibling.names.en == names.en)
        })
    }

    fn decide_create(&self, new: NewCategory) -> Result<CategoryEvent, DomainError> {
        if self.categories.contains_key(&new.category_id) {
            return Err(DomainError::AlreadyExists(Kind::Category));
        }
        if let Some(parent_id) = &new.parent_id {
            self.live(parent_id).map_err(|refusal| match refusal {
                DomainError::NotFound(_) => refuse(CategoryRefusal::Unknown),
                other => other,
            })?;
            if self.depth(parent_id) >= MAX_DEPTH {
                return Err(refuse(CategoryRefusal::TooDeep));
            }
        }
        if self.name_taken(new.parent_id.as_ref(), &new.names, None) {
            return Err(refuse(CategoryRefusal::NameTaken));
        }
        Ok(CategoryEvent::CategoryCreated {
            category_id: new.category_id,
            parent_id: new.parent_id,
            names: new.names,
        })
    }

    fn decide_move(
        &self,
        category_id: CategoryId,
        parent_id: Option<CategoryId>,
    ) -> Result<Vec<CategoryEvent>, DomainError> {
        let category = self.live(&category_id)?;
        if category.parent_id == parent_id {
            return Ok(vec![]);
        }
        let parent_depth = match &parent_id {
            None => 0,
            Some(parent) => {
                self.live(parent).map_err(|refusal| match refusal {
                    DomainError::NotFound(_) => refuse(CategoryRefusal::Unknown),
                    other => other,
                })?;
                if self.with_descendants(&category_id).contains(parent) {
                    return Err(refuse(CategoryRefusal::Cycle));
                }
                self.depth(parent)
            }
        };
        if parent_depth + self.height(&category_id) > MAX_DEPTH {
            return Err(refuse(CategoryRefusal::TooDeep));
        }
        if self.name_taken(parent_id.as_ref(), &category.names, Some(&category_id)) {
            return Err(refuse(CategoryRefusal::NameTaken));
        }
        Ok(vec![CategoryEvent::CategoryMoved {
            category_id,
            from: category.parent_id.clone(),
            to: parent_id,
        }])
    }
}

impl Aggregate for CategoryTreeState {
    type Command = CategoryCommand;
    type Event = CategoryEvent;

    const STREAM_TYPE: &'static str = "category_tree";

    fn decide(&self, command: CategoryCommand) -> Result<Vec<CategoryEvent>, DomainError> {
        match command {
            CategoryCommand::Seed { categories } => {
                if !self.is_empty() {
                    return Err(refuse(CategoryRefusal::AlreadySeeded));
                }
                // Each one is decided against the tree as the ones before it leave it, so the
                // seed obeys exactly the rules an admin's creations do.
                let mut tree = self.clone();
                let mut events = Vec::with_capacity(categories.len());
                for new in categories {
                    let event = tree.decide_create(new)?;
                    tree = tree.evolve(&event);
                    events.push(event);
                }
                Ok(events)
            }
            CategoryCommand::Create(new) => Ok(vec![self.decide_create(new)?]),
            CategoryCommand::Rename { category_id, names } => {
                let category = self.live(&category_id)?;
                if category.names == names {
                    return Ok(vec![]);
                }
                if self.name_taken(category.parent_id.as_ref(), &names, Some(&category_id)) {
                    return Err(refuse(CategoryRefusal::NameTaken));
                }
                Ok(vec![CategoryEvent::CategoryRenamed { category_id, names }])
            }
            CategoryCommand::Move { category_id, parent_id } => self.decide_move(category_id, parent_id),
            CategoryCommand::Retire { category_id } => {
                self.live(&category_id)?;
                if self.has_live_children(&category_id) {
                    return Err(refuse(CategoryRefusal::HasChildren));
                }
                Ok(vec![CategoryEvent::CategoryRetired { category_id }])
            }
        }
    }

    fn evolve(mut self, event: &CategoryEvent) -> Self {
        match event {
            CategoryEvent::CategoryCreated { category_id, parent_id, names } => {
                let position = u32::try_from(self.categories.len()).unwrap_or(u32::MAX);
                self.categories.insert(
                    category_id.clone(),
                    Category {
                        category_id: category_id.clone(),
                        parent_id: parent_id.clone(),
                        names: names.clone(),
                        retired: false,
                        position,
                    },
                );
            }
            CategoryEvent::CategoryRenamed { category_id, names } => {
                if let Some(category) = self.categories.get_mut(category_id) {
                    category.names = names.clone();
                }
            }
            CategoryEvent::CategoryMoved { category_id, to, .. } => {
                if let Some(category) = self.categories.get_mut(category_id) {
                    category.parent_id.clone_from(to);
                }
            }
            CategoryEvent::CategoryRetired { category_id } => {
                if let Some(category) = self.categories.get_mut(category_id) {
                    category.retired = true;
                }
            }
        }
        self
    }
}
