//! The live channel over real HTTP: who is woken for which case, across two instances on one
//! PostgreSQL database (also after the listener's connection is cut), refusals, shutdown
//! with open streams, and two instances seeding one fresh database at once.

use std::collections::BTreeSet;
use std::time::Duration;

use wangge_proto::values::UserId;
use wangge_proto::{Role, Scope};
use wangge_server::seed::{DEMO_PASSWORD, seed_demo};
use wangge_server::services::accounts::hash_password;
use wangge_server::store::{SqliteStore, Store, UserRecord};
use wangge_sync::http::client::LiveStream;
use wangge_sync::http::live::LiveEvent;
use wangge_sync::wire::Cursor;

use crate::e2e::{Phone, TestServer, comment, edit, new_case};

/// How long a test waits for an event that must come.
const PATIENCE: Duration = Duration::from_secs(10);

/// The next event that is not a keep-alive.
async fn next_event(stream: &mut LiveStream) -> LiveEvent {
    tokio::time::timeout(PATIENCE, async {
        loop {
            match stream.next().await.unwrap() {
                Some(LiveEvent::KeepAlive) => {}
                Some(event) => return event,
                None => panic!("the stream ended"),
            }
        }
    })
    .await
    .expect("no event in time")
}

/// Everything `stream` says for `time`: keep-alives only, or the first real event.
async fn quiet_for(stream: &mut LiveStream, time: Duration) -> Result<usize, LiveEvent> {
    let mut keep_alives = 0;
    let listening = async {
        loop {
            match stream.next().await.unwrap() {
                Some(LiveEvent::KeepAlive) => keep_alives += 1,
                Some(event) => return event,
                None => panic!("the stream ended"),
            }
        }
    };
    match tokio::time::timeout(time, listening).await {
        Ok(event) => Err(event),
        Err(_) => Ok(keep_alives),
    }
}

/// A grid worker of another community's grid (not in the demo data).
async fn add_far_worker<S: Store>(store: &S) {
    let grids = BTreeSet::from(["110199002001001".parse().unwrap()]);
    store
        .put_user(&UserRecord {
            id: UserId::from_uuid(uuid::Uuid::from_u128(0xfa4)).unwrap(),
            login: "yuan".into(),
            display_name: "远网格".into(),
            role: Role::GridWorker,
            scope: Scope::Grids { grids },
            password_hash: hash_password(DEMO_PASSWORD).unwrap(),
            disabled: false,
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secretary_is_woken_for_a_case_in_her_community_and_a_far_worker_is_not() {
    let dir = std::env::temp_dir().join(format!("wangge-live-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = SqliteStore::open(dir.join("wangge.db").to_str().unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    seed_demo(&store).await.unwrap();
    add_far_worker(&store).await;
    let server = TestServer::start_in(dir, store, |_| {}).await;

    let mut worker = Phone::sign_in(&server, "wangge", 1).await;
    let mut secretary = Phone::sign_in(&server, "shequ", 2).await;
    let far = Phone::sign_in(&server, "yuan", 3).await;
    let mut secretary_live = secretary.client.live().await.unwrap();
    let mut far_live = far.client.live().await.unwrap();
    // Every stream starts by asking for one sync.
    assert_eq!(next_event(&mut secretary_live).await, LiveEvent::Resync);
    assert_eq!(next_event(&mut far_live).await, LiveEvent::Resync);

    let case = new_case(&mut worker, 1, "垃圾堆放");
    assert_eq!(worker.sync_fully().await.accepted, vec![case]);
    let event = next_event(&mut secretary_live).await;
    assert!(
        matches!(event, LiveEvent::Moved { cursor } if cursor >= Cursor(1)),
        "{event:?}"
    );
    assert!(event.wants_sync(Cursor(0)));
    secretary.sync_fully().await;
    assert_eq!(secretary.cases(), vec![case], "the wake-up led to the case");

    // The far worker hears keep-alives (300 ms apart in tests) and nothing else.
    let keep_alives = quiet_for(&mut far_live, Duration::from_millis(1500))
        .await
        .unwrap_or_else(|event| panic!("a far worker was woken: {event:?}"));
    assert!(keep_alives >= 2, "{keep_alives} keep-alives");

    // The secretary's own edit wakes the worker's stream too, not only hers.
    let mut worker_live = worker.client.live().await.unwrap();
    assert_eq!(next_event(&mut worker_live).await, LiveEvent::Resync);
    let note = comment(&secretary, 1, "请尽快清运");
    edit(&mut secretary, &case, |doc| {
        doc.add_comment(&note).unwrap();
    });
    secretary.sync_fully().await;
    assert!(matches!(
        next_event(&mut worker_live).await,
        LiveEvent::Moved { .. }
    ));
    assert!(
        quiet_for(&mut far_live, Duration::from_millis(700))
            .await
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_and_revoked_tokens_get_401_before_any_event_and_a_query_token_works() {
    let server = TestServer::sqlite().await;
    let client = reqwest::Client::new();
    let url = format!("{}/v1/live", server.base);
    for request in [
        client.get(&url),
        client.get(&url).bearer_auth("wg_00"),
        client.get(format!("{url}?token=wg_00")),
    ] {
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), 401);
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["code"], "auth.unauthenticated", "{body}");
        assert!(body["message"].as_str().unwrap().contains("登录"), "{body}");
    }

    // Browsers cannot set headers: the token may come in the query, on this route.
    let phone = Phone::sign_in(&server, "jiedao", 4).await;
    let mut answer = client
        .get(format!("{url}?token={}", phone.token))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let first = tokio::time::timeout(PATIENCE, answer.chunk())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(&first[..], b"event: resync\ndata: {}\n\n");

    // An open stream ends once its token is revoked (checked every 500 ms in tests), and
    // opening it again is refused.
    let mut live = phone.client.live().await.unwrap();
    assert_eq!(next_event(&mut live).await, LiveEvent::Resync);
    let signed_out = client
        .delete(format!("{}/api/session", server.base))
        .bearer_auth(&phone.token)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 204);
    let ended = tokio::time::timeout(PATIENCE, async {
        loop {
            match live.next().await.unwrap() {
                Some(LiveEvent::KeepAlive) => {}
                Some(event) => panic!("{event:?}"),
                None => return,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream of a revoked token stayed open");
    let error = phone.client.live().await.unwrap_err();
    assert!(error.is_unauthenticated(), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_with_open_streams_completes_promptly() {
    let mut server = TestServer::sqlite().await;
    let phone = Phone::sign_in(&server, "shequ", 2).await;
    let mut streams = Vec::new();
    for _ in 0..3 {
        let mut live = phone.client.live().await.unwrap();
        assert_eq!(next_event(&mut live).await, LiveEvent::Resync);
        streams.push(live);
    }
    let started = std::time::Instant::now();
    server.stop(Duration::from_secs(5)).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    for mut live in streams {
        // The server ended the stream cleanly.
        let end = tokio::time::timeout(PATIENCE, async {
            loop {
                match live.next().await {
                    Ok(Some(LiveEvent::KeepAlive)) => {}
                    other => return other,
                }
            }
        })
        .await
        .unwrap();
        assert!(matches!(end, Ok(None)), "{end:?}");
    }
}

/// Terminates the PostgreSQL listeners' connections of the current database.
async fn cut_listeners(url: &str) -> u64 {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(url).await.unwrap();
    let (cut,): (i64,) = sqlx::query_as(
        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
         WHERE application_name = 'wangge-live-listener' AND datname = current_database()",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    u64::try_from(cut).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_share_notifications_and_phones_converge() {
    crate::store_support::postgres(|fixture| async move {
        let url = fixture.location().unwrap().to_owned();
        let second = fixture.second_instance().await.unwrap();
        let one = TestServer::start(fixture.store.clone()).await;
        let two = TestServer::start(second).await;
        one.live.listening().await;
        two.live.listening().await;

        let mut a = Phone::sign_in(&one, "wangge", 1).await;
        let mut b = Phone::sign_in(&two, "shequ", 2).await;
        let mut b_live = b.client.live().await.unwrap();
        assert_eq!(next_event(&mut b_live).await, LiveEvent::Resync);

        // A syncs through instance one; B hears it on instance two.
        let first = new_case(&mut a, 1, "垃圾堆放");
        assert_eq!(a.sync_fully().await.accepted, vec![first]);
        let event = next_event(&mut b_live).await;
        assert!(
            matches!(event, LiveEvent::Moved { cursor } if cursor >= Cursor(1)),
            "{event:?}"
        );
        b.sync_fully().await;
        assert_eq!(b.cases(), vec![first]);

        // Both edit offline, sync through their own instance, and converge.
        edit(&mut a, &first, |doc| {
            doc.set_title("垃圾堆放（已核实）").unwrap()
        });
        let note = comment(&b, 1, "已派城管");
        edit(&mut b, &first, |doc| {
            doc.add_comment(&note).unwrap();
        });
        a.sync_fully().await;
        b.sync_fully().await;
        a.sync_fully().await;
        assert_eq!(a.heads(&first), b.heads(&first));

        // Cut the listeners' connections: B's stream is told to resync, and later moves
        // still cross once the listener is back.
        while quiet_for(&mut b_live, Duration::from_millis(400))
            .await
            .is_err()
        {}
        assert!(cut_listeners(&url).await >= 1);
        assert_eq!(next_event(&mut b_live).await, LiveEvent::Resync);
        two.live.listening().await;
        let second_case = new_case(&mut a, 2, "井盖缺失");
        a.sync_fully().await;
        let event = next_event(&mut b_live).await;
        assert!(matches!(event, LiveEvent::Moved { .. }), "{event:?}");
        b.sync_fully().await;
        assert_eq!(a.heads(&second_case), b.heads(&second_case));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_seeding_one_fresh_postgres_make_one_set_of_demo_accounts() {
    crate::store_support::postgres(|fixture| async move {
        let second = fixture.second_instance().await.unwrap();
        let (seeded_one, seeded_two) = tokio::join!(seed_demo(&fixture.store), seed_demo(&second));
        let (seeded_one, seeded_two) = (seeded_one.unwrap(), seeded_two.unwrap());
        assert_eq!(
            seeded_one.len() + seeded_two.len(),
            7,
            "exactly one instance reports the accounts"
        );
        assert_eq!(fixture.store.count_users().await.unwrap(), 7);
        let (one, two) = tokio::join!(
            TestServer::start(fixture.store.clone()),
            TestServer::start(second)
        );
        assert_eq!(fixture.store.count_users().await.unwrap(), 7);
        for (n, server) in [(5, &one), (6, &two)] {
            let phone = Phone::sign_in(server, "shequ", n).await;
            assert!(!phone.token.is_empty());
        }
    })
    .await;
}
