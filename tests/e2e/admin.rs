//! Roles over HTTP: the first admin from the command line, then an admin giving a member the
//! dispute-agent role, audit-recorded with the admin as actor; nobody else may.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Profile, TestServer};

async fn an_admin_gives_roles_and_nobody_else_may(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let (admin, staff, member) =
        (server.member("관리자").await, server.member("상담원").await, server.member("회원").await);
    let grant = |account: &str| format!("/v1/admin/members/{account}/roles");
    let agent = json!({"role": "dispute_agent"});

    // Not yet an admin: refused.
    server
        .send(Method::POST, &grant(&staff.account_id), Some(&admin.token), Some(agent.clone()))
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    server.grant_role(&admin, "admin").await;
    let me = server.send(Method::GET, "/v1/me", Some(&admin.token), None).await;
    assert_eq!(me.body["role"], "admin");

    let granted =
        server.send(Method::POST, &grant(&staff.account_id), Some(&admin.token), Some(agent.clone())).await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    assert_eq!(granted.body["role"], "dispute_agent");
    let staff_me = server.send(Method::GET, "/v1/me", Some(&staff.token), None).await;
    assert_eq!(staff_me.body["role"], "dispute_agent");

    // The grants are on record with who gave them: the operator's command (the system), then the
    // admin.
    let statement =
        "SELECT actor_role FROM events WHERE event_type = 'AccountRoleGranted' ORDER BY global_position";
    let actors = crate::sessions::stored_rows(&server, profile, statement).await;
    assert_eq!(actors, vec!["system", "admin"]);

    // Members and staff may not; a role that is none is refused; an unknown account is not found.
    for caller in [&member, &staff] {
        server
            .send(
                Method::POST,
                &grant(&member.account_id),
                Some(&caller.token),
                Some(json!({"role": "admin"})),
            )
            .await
            .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    }
    server
        .send(Method::POST, &grant(&member.account_id), Some(&admin.token), Some(json!({"role": "owner"})))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    server
        .send(Method::POST, &grant(&uuid::Uuid::now_v7().to_string()), Some(&admin.token), Some(agent))
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
    server
        .send(Method::POST, &grant(&member.account_id), None, Some(json!({"role": "admin"})))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}

on_both_profiles!(
    an_admin_gives_roles_and_nobody_else_may_embedded,
    an_admin_gives_roles_and_nobody_else_may_on_postgres,
    an_admin_gives_roles_and_nobody_else_may
);
