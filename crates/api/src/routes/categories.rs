//! The category tree: everyone reads it, in Korean or English; admins change it.

use actix_web::{HttpResponse, http::header::CONTENT_LANGUAGE, web};
use jangteo_domain::{
    CategoryId, CategoryName,
    category::{Category, CategoryNames, CategoryTreeState, NewCategory},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ApiError, ApiState, auth::Authenticated, language::Language, routes::Fields};

/// A category and the live categories under it.
#[derive(Serialize, ToSchema)]
pub(crate) struct CategoryNode {
    #[schema(examples("iphone"))]
    pub(crate) category_id: String,
    /// In the answer's language (`Content-Language`).
    #[schema(examples("아이폰"))]
    pub(crate) name: String,
    /// Empty for a leaf: listings go in leaves.
    #[schema(no_recursion)]
    pub(crate) children: Vec<CategoryNode>,
}

/// The live tree, top categories first in the order admins created them.
#[derive(Serialize, ToSchema)]
pub(crate) struct CategoryTree {
    items: Vec<CategoryNode>,
}

fn name_in(category: &Category, language: Language) -> String {
    match language {
        Language::Korean => category.names.ko.as_str().to_owned(),
        Language::English => category.names.en.as_str().to_owned(),
    }
}

fn nodes(tree: &CategoryTreeState, parent: Option<&CategoryId>, language: Language) -> Vec<CategoryNode> {
    tree.children(parent)
        .into_iter()
        .filter(|category| !category.retired)
        .map(|category| CategoryNode {
            category_id: category.category_id.as_str().to_owned(),
            name: name_in(category, language),
            children: nodes(tree, Some(&category.category_id), language),
        })
        .collect()
}

/// The category tree (no token). Names follow `Accept-Language`: Korean unless English is
/// preferred.
#[utoipa::path(
    get, path = "/v1/categories", operation_id = "categories", tag = "listings",
    params(("Accept-Language" = Option<String>, Header, description = "`ko` (the default) or `en`")),
    responses((status = 200, description = "The live tree.", body = CategoryTree)),
)]
pub(crate) async fn tree(state: web::Data<ApiState>, language: Language) -> Result<HttpResponse, ApiError> {
    let items = live_tree(&state, language).await?;
    Ok(HttpResponse::Ok().insert_header((CONTENT_LANGUAGE, language.tag())).json(CategoryTree { items }))
}

/// The live top categories with their descendants, named in `language` (REST and GraphQL answer
/// with this).
pub(crate) async fn live_tree(state: &ApiState, language: Language) -> Result<Vec<CategoryNode>, ApiError> {
    let tree = state.categories.tree().await?;
    Ok(nodes(&tree, None, language))
}

/// A category's names.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NamesBody {
    /// 1–40 characters.
    #[schema(min_length = 1, max_length = 40, examples("아이폰"))]
    ko: String,
    /// 1–40 characters.
    #[schema(min_length = 1, max_length = 40, examples("iPhone"))]
    en: String,
}

impl NamesBody {
    fn names(&self, fields: &mut Fields) -> Option<CategoryNames> {
        let ko = fields.check(CategoryName::parse(&self.ko));
        let en = fields.check(CategoryName::parse(&self.en));
        Some(CategoryNames { ko: ko?, en: en? })
    }
}

/// A category to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateCategoryBody {
    /// 1–64 characters of `a-z`, `0-9` and `-`; never changes.
    #[schema(pattern = "^[a-z0-9-]{1,64}$", examples("galaxy-watch"))]
    category_id: String,
    /// The parent; absent or `null` for a top category.
    #[serde(default)]
    #[schema(pattern = "^[a-z0-9/-]{1,64}$", examples("wearables"))]
    parent_id: Option<String>,
    names: NamesBody,
}

/// A new parent.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParentBody {
    /// `null` to make it a top category.
    #[schema(required, pattern = "^[a-z0-9/-]{1,64}$", examples("digital"))]
    parent_id: Option<String>,
}

/// The answer to a change of the tree.
#[derive(Serialize, ToSchema)]
pub(crate) struct CategoryChanged {
    #[schema(examples("galaxy-watch"))]
    category_id: String,
    /// The global log position of the change.
    position: u64,
}

fn category_id(fields: &mut Fields, raw: &str) -> Option<CategoryId> {
    fields.check(CategoryId::parse(raw))
}

fn changed(category_id: &CategoryId, position: u64) -> CategoryChanged {
    CategoryChanged { category_id: category_id.as_str().to_owned(), position }
}

/// Create a category (admins only).
#[utoipa::path(
    post, path = "/v1/admin/categories", operation_id = "create_category", tag = "admin",
    security(("bearer" = [])),
    request_body = CreateCategoryBody,
    responses(
        (status = 201, description = "Created.", body = CategoryChanged),
        (status = 403, description = "- `forbidden`: the caller is not an admin"),
        (status = 409, description = "- `already_exists`: the id is taken\n- `category_name_taken`: a sibling has one of the names\n- `category_too_deep`: it would be a fourth level\n- `category_retired`: the parent is retired"),
        (status = 422, description = "- `validation_failed`: a field is malformed\n- `unknown_category`: no such parent"),
    ),
)]
pub(crate) async fn create(
    state: web::Data<ApiState>,
    Authenticated(admin): Authenticated,
    body: web::Json<CreateCategoryBody>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::new();
    let id = category_id(&mut fields, &body.category_id);
    let parent_id = fields.check(body.parent_id.as_deref().map(CategoryId::parse).transpose());
    let names = body.names.names(&mut fields);
    fields.finish()?;
    let (Some(id), Some(parent_id), Some(names)) = (id, parent_id, names) else {
        return Err(ApiError::Validation(Vec::new()));
    };
    let receipt =
        state.categories.create(admin, NewCategory { category_id: id.clone(), parent_id, names }).await?;
    Ok(HttpResponse::Created().json(changed(&id, receipt.position)))
}

/// Rename a category (admins only). The same names again change nothing.
#[utoipa::path(
    put, path = "/v1/admin/categories/{category_id}/names", operation_id = "rename_category", tag = "admin",
    security(("bearer" = [])),
    params(("category_id" = String, Path)),
    request_body = NamesBody,
    responses(
        (status = 200, description = "Renamed.", body = CategoryChanged),
        (status = 403, description = "- `forbidden`: the caller is not an admin"),
        (status = 404, description = "- `not_found`: no such category"),
        (status = 409, description = "- `category_name_taken`: a sibling has one of the names\n- `category_retired`: it is retired"),
        (status = 422, description = "- `validation_failed`: a category id that is not a slug, or malformed names"),
    ),
)]
pub(crate) async fn rename(
    state: web::Data<ApiState>,
    Authenticated(admin): Authenticated,
    path: web::Path<String>,
    body: web::Json<NamesBody>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::new();
    let id = category_id(&mut fields, &path);
    let names = body.names(&mut fields);
    fields.finish()?;
    let (Some(id), Some(names)) = (id, names) else {
        return Err(ApiError::Validation(Vec::new()));
    };
    let receipt = state.categories.rename(admin, id.clone(), names).await?;
    Ok(HttpResponse::Ok().json(changed(&id, receipt.position)))
}

/// Move a category, with everything under it, under another parent (admins only).
#[utoipa::path(
    put, path = "/v1/admin/categories/{category_id}/parent", operation_id = "move_category", tag = "admin",
    security(("bearer" = [])),
    params(("category_id" = String, Path)),
    request_body = ParentBody,
    responses(
        (status = 200, description = "Moved.", body = CategoryChanged),
        (status = 403, description = "- `forbidden`: the caller is not an admin"),
        (status = 404, description = "- `not_found`: no such category"),
        (status = 409, description = "- `category_cycle`: under itself or a descendant\n- `category_too_deep`: it would make a fourth level\n- `category_name_taken`: a new sibling has its name\n- `category_retired`: it or the parent is retired"),
        (status = 422, description = "- `validation_failed`: a category id that is not a slug\n- `unknown_category`: no such parent"),
    ),
)]
pub(crate) async fn move_under(
    state: web::Data<ApiState>,
    Authenticated(admin): Authenticated,
    path: web::Path<String>,
    body: web::Json<ParentBody>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::new();
    let id = category_id(&mut fields, &path);
    let parent_id = fields.check(body.parent_id.as_deref().map(CategoryId::parse).transpose());
    fields.finish()?;
    let (Some(id), Some(parent_id)) = (id, parent_id) else {
        return Err(ApiError::Validation(Vec::new()));
    };
    let receipt = state.categories.move_under(admin, id.clone(), parent_id).await?;
    Ok(HttpResponse::Ok().json(changed(&id, receipt.position)))
}

/// Retire a category with no live category under it (admins only): it leaves the tree, its
/// listings stay where they are and are still found by its ancestors.
#[utoipa::path(
    post, path = "/v1/admin/categories/{category_id}/retirement", operation_id = "retire_category", tag = "admin",
    security(("bearer" = [])),
    params(("category_id" = String, Path)),
    responses(
        (status = 200, description = "Retired.", body = CategoryChanged),
        (status = 403, description = "- `forbidden`: the caller is not an admin"),
        (status = 404, description = "- `not_found`: no such category"),
        (status = 409, description = "- `category_has_children`: live categories are under it\n- `category_retired`: retired already"),
        (status = 422, description = "- `validation_failed`: a category id that is not a slug"),
    ),
)]
pub(crate) async fn retire(
    state: web::Data<ApiState>,
    Authenticated(admin): Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::new();
    let id = category_id(&mut fields, &path);
    fields.finish()?;
    let Some(id) = id else {
        return Err(ApiError::Validation(Vec::new()));
    };
    let receipt = state.categories.retire(admin, id.clone()).await?;
    Ok(HttpResponse::Ok().json(changed(&id, receipt.position)))
}
