//! The category tree: three levels, no cycles, unique names among siblings, retirement of leaves.

use jangteo_domain::{
    Aggregate, CategoryId, CategoryName, CategoryRefusal, DomainError, Kind,
    category::{CategoryCommand as C, CategoryEvent as E, CategoryNames, CategoryTreeState, NewCategory},
};

use crate::support::{Case, run};

fn id(slug: &str) -> CategoryId {
    CategoryId::parse(slug).unwrap()
}

fn names(ko: &str, en: &str) -> CategoryNames {
    CategoryNames { ko: CategoryName::parse(ko).unwrap(), en: CategoryName::parse(en).unwrap() }
}

fn new(slug: &str, parent: Option<&str>, ko: &str, en: &str) -> NewCategory {
    NewCategory { category_id: id(slug), parent_id: parent.map(id), names: names(ko, en) }
}

fn created(slug: &str, parent: Option<&str>, ko: &str, en: &str) -> E {
    E::CategoryCreated { category_id: id(slug), parent_id: parent.map(id), names: names(ko, en) }
}

/// 디지털기기 › 휴대폰 › 아이폰, and 가구 at the top.
fn three_levels() -> Vec<E> {
    vec![
        created("digital", None, "디지털기기", "Digital devices"),
        created("phones", Some("digital"), "휴대폰", "Phones"),
        created("iphone", Some("phones"), "아이폰", "iPhone"),
        created("furniture", None, "가구", "Furniture"),
    ]
}

fn refused(refusal: CategoryRefusal) -> Result<Vec<E>, DomainError> {
    Err(DomainError::Category(refusal))
}

#[test]
fn category_tree_decisions() {
    run::<CategoryTreeState>(vec![
        Case {
            name: "seed an empty tree",
            given: vec![],
            when: C::Seed {
                categories: vec![
                    new("digital", None, "디지털기기", "Digital devices"),
                    new("phones", Some("digital"), "휴대폰", "Phones"),
                ],
            },
            then: Ok(vec![
                created("digital", None, "디지털기기", "Digital devices"),
                created("phones", Some("digital"), "휴대폰", "Phones"),
            ]),
        },
        Case {
            name: "seed only an empty tree",
            given: three_levels(),
            when: C::Seed { categories: vec![new("books", None, "도서", "Books")] },
            then: refused(CategoryRefusal::AlreadySeeded),
        },
        Case {
            name: "a seed follows the rules of creation",
            given: vec![],
            when: C::Seed { categories: vec![new("phones", Some("digital"), "휴대폰", "Phones")] },
            then: refused(CategoryRefusal::Unknown),
        },
        Case {
            name: "create at the top",
            given: three_levels(),
            when: C::Create(new("books", None, "도서", "Books")),
            then: Ok(vec![created("books", None, "도서", "Books")]),
        },
        Case {
            name: "no fourth level",
            given: three_levels(),
            when: C::Create(new("iphone-15", Some("iphone"), "아이폰 15", "iPhone 15")),
            then: refused(CategoryRefusal::TooDeep),
        },
        Case {
            name: "ids are unique",
            given: three_levels(),
            when: C::Create(new("phones", None, "전화", "Telephones")),
            then: Err(DomainError::AlreadyExists(Kind::Category)),
        },
        Case {
            name: "names are unique among siblings, in either language",
            given: three_levels(),
            when: C::Create(new("furniture-2", None, "가구", "Home furniture")),
            then: refused(CategoryRefusal::NameTaken),
        },
        Case {
            name: "the same name under another parent is fine",
            given: three_levels(),
            when: C::Create(new("sofa", Some("furniture"), "휴대폰", "Phones")),
            then: Ok(vec![created("sofa", Some("furniture"), "휴대폰", "Phones")]),
        },
        Case {
            name: "rename",
            given: three_levels(),
            when: C::Rename { category_id: id("phones"), names: names("스마트폰", "Smartphones") },
            then: Ok(vec![E::CategoryRenamed {
                category_id: id("phones"),
                names: names("스마트폰", "Smartphones"),
            }]),
        },
        Case {
            name: "renaming to the same names changes nothing",
            given: three_levels(),
            when: C::Rename { category_id: id("phones"), names: names("휴대폰", "Phones") },
            then: Ok(vec![]),
        },
        Case {
            name: "move a subtree to another parent",
            given: three_levels(),
            when: C::Move { category_id: id("phones"), parent_id: Some(id("furniture")) },
            then: Ok(vec![E::CategoryMoved {
                category_id: id("phones"),
                from: Some(id("digital")),
                to: Some(id("furniture")),
            }]),
        },
        Case {
            name: "a move that would make a fourth level",
            given: three_levels(),
            when: C::Move { category_id: id("phones"), parent_id: Some(id("iphone")) },
            then: refused(CategoryRefusal::Cycle),
        },
        Case {
            name: "a two-level subtree under a second level is too deep",
            given: [three_levels(), vec![created("chairs", Some("furniture"), "의자", "Chairs")]].concat(),
            when: C::Move { category_id: id("phones"), parent_id: Some(id("chairs")) },
            then: refused(CategoryRefusal::TooDeep),
        },
        Case {
            name: "a category cannot move under its own descendant",
            given: three_levels(),
            when: C::Move { category_id: id("digital"), parent_id: Some(id("phones")) },
            then: refused(CategoryRefusal::Cycle),
        },
        Case {
            name: "retire a leaf",
            given: three_levels(),
            when: C::Retire { category_id: id("iphone") },
            then: Ok(vec![E::CategoryRetired { category_id: id("iphone") }]),
        },
        Case {
            name: "a category with live children stays",
            given: three_levels(),
            when: C::Retire { category_id: id("phones") },
            then: refused(CategoryRefusal::HasChildren),
        },
        Case {
            name: "nothing goes under a retired category",
            given: [three_levels(), vec![E::CategoryRetired { category_id: id("furniture") }]].concat(),
            when: C::Create(new("sofa", Some("furniture"), "소파", "Sofas")),
            then: refused(CategoryRefusal::Retired),
        },
        Case {
            name: "a retired name can be used again",
            given: [three_levels(), vec![E::CategoryRetired { category_id: id("furniture") }]].concat(),
            when: C::Create(new("home", None, "가구", "Furniture")),
            then: Ok(vec![created("home", None, "가구", "Furniture")]),
        },
    ]);
}

#[test]
fn listings_go_in_live_leaves_and_searches_take_in_descendants() {
    let mut events = three_levels();
    events.push(created("galaxy", Some("phones"), "갤럭시", "Galaxy"));
    events.push(E::CategoryRetired { category_id: id("galaxy") });
    let tree = CategoryTreeState::replay(&events);

    assert_eq!(tree.check_listing_category(&id("iphone")), Ok(()));
    assert_eq!(tree.check_listing_category(&id("furniture")), Ok(()), "a top category without children");
    assert_eq!(
        tree.check_listing_category(&id("phones")),
        Err(DomainError::Category(CategoryRefusal::NotLeaf))
    );
    assert_eq!(
        tree.check_listing_category(&id("galaxy")),
        Err(DomainError::Category(CategoryRefusal::Retired))
    );
    assert_eq!(
        tree.check_listing_category(&id("nothing")),
        Err(DomainError::Category(CategoryRefusal::Unknown))
    );

    assert_eq!(
        tree.with_descendants(&id("digital")),
        vec![id("digital"), id("phones"), id("iphone"), id("galaxy")]
    );
    assert_eq!(tree.with_descendants(&id("nothing")), Vec::<CategoryId>::new());
    let path: Vec<&str> = tree.path(&id("iphone")).iter().map(|c| c.names.ko.as_str()).collect();
    assert_eq!(path, ["디지털기기", "휴대폰", "아이폰"]);
    let top: Vec<&str> = tree.children(None).iter().map(|c| c.category_id.as_str()).collect();
    assert_eq!(top, ["digital", "furniture"], "siblings in creation order");
}
