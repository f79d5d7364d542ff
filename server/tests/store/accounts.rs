//! Users, devices, actor bindings and tokens: round trips and conflicts.

use automerge::ActorId;
use wangge_proto::values::DeviceId;
use wangge_proto::{Role, Scope};
use wangge_server::store::{DeviceRecord, StoreError, TokenRecord, UserRecord};
use wangge_sync::relay::SigningKey;

use crate::support::{Backend, Fixture, actor, device_id, home_grid, ts, user_id};

store_tests!(
    users_round_trip,
    a_login_belongs_to_one_user,
    devices_round_trip,
    actors_bind_once,
    actor_records_join_user_and_device,
    tokens_round_trip_and_revoke,
    seeding_inserts_only_users_not_there_yet,
    concurrent_seeding_inserts_one_set,
);

pub fn user(n: u8, role: Role, scope: Scope) -> UserRecord {
    UserRecord {
        id: user_id(n),
        login: format!("user{n}"),
        display_name: format!("张网格{n}"),
        role,
        scope,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        disabled: false,
    }
}

pub fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

pub fn device(n: u8, user: u8) -> DeviceRecord {
    DeviceRecord {
        id: device_id(n),
        user: user_id(user),
        key: key(n).verifying_key(),
        enrolled_at: ts(n.into()),
        revoked: false,
    }
}

fn worker(n: u8) -> UserRecord {
    user(
        n,
        Role::GridWorker,
        Scope::Grids {
            grids: [home_grid()].into(),
        },
    )
}

async fn users_round_trip<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    assert_eq!(store.count_users().await.unwrap(), 0);
    assert_eq!(store.user(&user_id(1)).await.unwrap(), None);
    assert_eq!(store.user_by_login("user1").await.unwrap(), None);

    let mut one = worker(1);
    let two = user(
        2,
        Role::DepartmentHandler,
        Scope::Department {
            department: "chengguan".parse().unwrap(),
        },
    );
    store.put_user(&one).await.unwrap();
    store.put_user(&two).await.unwrap();
    assert_eq!(store.count_users().await.unwrap(), 2);
    assert_eq!(store.user(&user_id(1)).await.unwrap(), Some(one.clone()));
    assert_eq!(store.user_by_login("user2").await.unwrap(), Some(two));

    // Replacing keeps one row and changes every column.
    one.login = "zhang".into();
    one.display_name = "张三".into();
    one.role = Role::CommunitySecretary;
    one.scope = Scope::Community {
        community: home_grid().community(),
    };
    one.disabled = true;
    store.put_user(&one).await.unwrap();
    assert_eq!(store.count_users().await.unwrap(), 2);
    assert_eq!(
        store.user_by_login("zhang").await.unwrap(),
        Some(one.clone())
    );
    assert_eq!(store.user_by_login("user1").await.unwrap(), None);
    for scope in [
        Scope::Everything,
        Scope::Street {
            street: home_grid().street(),
        },
    ] {
        one.scope = scope;
        store.put_user(&one).await.unwrap();
        assert_eq!(store.user(&one.id).await.unwrap(), Some(one.clone()));
    }
    store.ping().await.unwrap();
    // Migrating again is harmless.
    store.migrate().await.unwrap();
    assert_eq!(store.count_users().await.unwrap(), 2);
}

async fn a_login_belongs_to_one_user<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    store.put_user(&worker(1)).await.unwrap();
    let mut other = worker(2);
    other.login = "user1".into();
    let err = store.put_user(&other).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(store.count_users().await.unwrap(), 1);
}

async fn devices_round_trip<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    store.put_user(&worker(1)).await.unwrap();
    assert_eq!(store.device(&device_id(1)).await.unwrap(), None);
    let mut phone = device(1, 1);
    store.put_device(&phone).await.unwrap();
    assert_eq!(
        store.device(&device_id(1)).await.unwrap(),
        Some(phone.clone())
    );
    phone.revoked = true;
    phone.key = key(9).verifying_key();
    store.put_device(&phone).await.unwrap();
    assert_eq!(store.device(&device_id(1)).await.unwrap(), Some(phone));
    // A device of an unknown user is refused by the database.
    assert!(store.put_device(&device(2, 7)).await.is_err());
}

async fn actors_bind_once<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    store.put_user(&worker(1)).await.unwrap();
    store.put_user(&worker(2)).await.unwrap();
    store.put_device(&device(1, 1)).await.unwrap();
    store.put_device(&device(3, 1)).await.unwrap();
    store.put_device(&device(2, 2)).await.unwrap();

    let (a, b) = (actor(1), actor(11));
    store
        .bind_actor(&b, &user_id(1), &device_id(1))
        .await
        .unwrap();
    store
        .bind_actor(&a, &user_id(1), &device_id(1))
        .await
        .unwrap();
    // Binding again the same way is idempotent.
    store
        .bind_actor(&a, &user_id(1), &device_id(1))
        .await
        .unwrap();
    let mut expected = vec![a.clone(), b.clone()];
    expected.sort();
    assert_eq!(
        store.actors_of(&user_id(1), &device_id(1)).await.unwrap(),
        expected
    );
    assert!(
        store
            .actors_of(&user_id(1), &device_id(3))
            .await
            .unwrap()
            .is_empty()
    );

    // Rebinding to another device of the same user, or to another user, is a conflict.
    for (user, device) in [(1, 3), (2, 2)] {
        let err = store
            .bind_actor(&a, &user_id(user), &device_id(device))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    }
    // A device can only bind actors for its own user (and must exist).
    let c = ActorId::from(&[3u8; 16][..]);
    for (user, device) in [(1, 2), (1, 99)] {
        let device = if device == 99 {
            DeviceId::generate()
        } else {
            device_id(device)
        };
        let err = store
            .bind_actor(&c, &user_id(user), &device)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    }
    assert_eq!(
        store.actors_of(&user_id(1), &device_id(1)).await.unwrap(),
        expected
    );
    assert!(
        store
            .actors_of(&user_id(2), &device_id(2))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn actor_records_join_user_and_device<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let secretary = user(
        2,
        Role::CommunitySecretary,
        Scope::Community {
            community: home_grid().community(),
        },
    );
    store.put_user(&worker(1)).await.unwrap();
    store.put_user(&secretary).await.unwrap();
    store.put_device(&device(1, 1)).await.unwrap();
    store.put_device(&device(2, 2)).await.unwrap();
    store
        .bind_actor(&actor(1), &user_id(1), &device_id(1))
        .await
        .unwrap();
    store
        .bind_actor(&actor(2), &user_id(2), &device_id(2))
        .await
        .unwrap();

    assert!(store.actors(&[]).await.unwrap().is_empty());
    // In the order asked; unknown actors left out.
    let records = store
        .actors(&[actor(2), actor(77), actor(1)])
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].actor, actor(2));
    assert_eq!(records[0].user, user_id(2));
    assert_eq!(records[0].role, Role::CommunitySecretary);
    assert_eq!(records[0].scope, secretary.scope);
    assert_eq!(records[0].device, device_id(2));
    assert_eq!(records[0].key, Some(key(2).verifying_key()));
    assert_eq!(records[1].actor, actor(1));
    assert_eq!(records[1].role, Role::GridWorker);

    // A revoked device's actors and a disabled user's actors are no longer enrolled.
    let mut revoked = device(1, 1);
    revoked.revoked = true;
    store.put_device(&revoked).await.unwrap();
    let mut disabled = secretary.clone();
    disabled.disabled = true;
    store.put_user(&disabled).await.unwrap();
    assert!(
        store
            .actors(&[actor(1), actor(2)])
            .await
            .unwrap()
            .is_empty()
    );
    store.put_device(&device(1, 1)).await.unwrap();
    store.put_user(&secretary).await.unwrap();
    assert_eq!(store.actors(&[actor(1), actor(2)]).await.unwrap().len(), 2);
}

async fn tokens_round_trip_and_revoke<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    store.put_user(&worker(1)).await.unwrap();
    store.put_user(&worker(2)).await.unwrap();
    store.put_device(&device(1, 1)).await.unwrap();
    store.put_device(&device(3, 1)).await.unwrap();
    let token = |device: Option<u8>, user: u8| TokenRecord {
        user: user_id(user),
        device: device.map(device_id),
        expires_at: ts(60),
        revoked: false,
    };
    let on_phone = token(Some(1), 1);
    let on_tablet = token(Some(3), 1);
    let console = token(None, 1);
    let others = token(None, 2);
    store.put_token(&[1; 32], &on_phone).await.unwrap();
    store.put_token(&[2; 32], &on_tablet).await.unwrap();
    store.put_token(&[3; 32], &console).await.unwrap();
    store.put_token(&[4; 32], &others).await.unwrap();
    assert_eq!(store.token(&[1; 32]).await.unwrap(), Some(on_phone.clone()));
    assert_eq!(store.token(&[3; 32]).await.unwrap(), Some(console.clone()));
    assert_eq!(store.token(&[9; 32]).await.unwrap(), None);

    // One device's tokens only, then the rest of the user's; revoked ones count once.
    assert_eq!(
        store
            .revoke_tokens(&user_id(1), Some(&device_id(1)))
            .await
            .unwrap(),
        1
    );
    assert!(store.token(&[1; 32]).await.unwrap().unwrap().revoked);
    assert!(!store.token(&[2; 32]).await.unwrap().unwrap().revoked);
    assert_eq!(store.revoke_tokens(&user_id(1), None).await.unwrap(), 2);
    assert_eq!(store.revoke_tokens(&user_id(1), None).await.unwrap(), 0);
    assert!(store.token(&[3; 32]).await.unwrap().unwrap().revoked);
    assert_eq!(store.token(&[4; 32]).await.unwrap(), Some(others));

    // Replacing a token (same hash) replaces every column.
    let renewed = TokenRecord {
        expires_at: ts(120),
        ..on_tablet
    };
    store.put_token(&[2; 32], &renewed).await.unwrap();
    assert_eq!(store.token(&[2; 32]).await.unwrap(), Some(renewed));
}

async fn seeding_inserts_only_users_not_there_yet<S: Backend>(fx: Fixture<S>) {
    let store = &fx.store;
    let worker = Scope::Grids {
        grids: [home_grid()].into(),
    };
    let first = [
        user(1, Role::GridWorker, worker.clone()),
        user(2, Role::GridWorker, worker.clone()),
    ];
    assert_eq!(store.seed_users(&first).await.unwrap(), 2);
    assert_eq!(store.seed_users(&first).await.unwrap(), 0);
    // Same id, or same login under another id: skipped, and the stored user is unchanged.
    let mut renamed = user(1, Role::CommunitySecretary, worker.clone());
    renamed.display_name = "改名".into();
    let mut same_login = user(3, Role::GridWorker, worker.clone());
    same_login.login = "user2".into();
    let fresh = user(4, Role::GridWorker, worker);
    assert_eq!(
        store
            .seed_users(&[renamed, same_login, fresh])
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.count_users().await.unwrap(), 3);
    assert_eq!(store.user(&user_id(1)).await.unwrap().unwrap(), first[0]);
}

async fn concurrent_seeding_inserts_one_set<S: Backend>(fx: Fixture<S>) {
    let Some(other) = fx.second_instance().await else {
        return;
    };
    let users: Vec<UserRecord> = (1..=7)
        .map(|n| user(n, Role::StreetOffice, Scope::Everything))
        .collect();
    let (one, two) = tokio::join!(fx.store.seed_users(&users), other.seed_users(&users));
    assert_eq!(one.unwrap() + two.unwrap(), 7);
    assert_eq!(fx.store.count_users().await.unwrap(), 7);
    other.shut().await;
}
