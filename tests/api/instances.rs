//! Several stateless instances on one database, as behind a load balancer.

use nectr_auth_tests::{Backend, spawn_app};

on_both_databases!(a_session_made_on_one_instance_works_and_ends_on_another);

async fn a_session_made_on_one_instance_works_and_ends_on_another(backend: Backend) {
    let first = spawn_app(backend).await;
    first.signed_in().await;
    let session = first.session_cookie().expect("session");
    // The second instance shares the database and SECRET_KEY, as a deployment would.
    let second = first.sibling(vec![]).await;

    assert_eq!(
        second.get_with_session("/auth/me", &session).await.status(),
        200
    );
    let logout = second
        .client
        .post(second.url("/auth/logout"))
        .header("cookie", format!("access_token={session}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(logout.status(), 200);

    assert_eq!(
        first.get_with_session("/auth/me", &session).await.status(),
        401
    );
    assert_eq!(
        second.get_with_session("/auth/me", &session).await.status(),
        401
    );
}
