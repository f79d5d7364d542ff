//! The demo organisation seeded on first start (when the database has no users): one
//! district, 2 streets, 4 communities, 12 grids, the shipped departments, and one account per
//! role, so a fresh server can be tried at once. Its organisation tree is checked by
//! [`OrgTree::new`] like any operator's.

use std::collections::BTreeSet;

use uuid::Uuid;
use wangge_proto::catalogue::shipped_departments;
use wangge_proto::org::{OrgParts, OrgTree, Unit};
use wangge_proto::values::{CommunityCode, DistrictCode, GridCode, StreetCode, UserId};
use wangge_proto::{Role, Scope};

use crate::services::accounts::{AccountError, hash_password};
use crate::store::{Store, UserRecord};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "wangge-demo";

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The demo data itself is invalid (a bug).
    #[error("demo data is invalid: {0}")]
    Invalid(String),
    /// Hashing or storing an account failed.
    #[error(transparent)]
    Account(#[from] AccountError),
}

impl From<crate::store::StoreError> for SeedError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::Account(AccountError::Store(error))
    }
}

/// One seeded account, for the start-up message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    /// Login name.
    pub login: String,
    /// Role.
    pub role: Role,
}

fn unit<C>(code: C, name: &str) -> Unit<C> {
    Unit {
        code,
        name: name.to_owned(),
    }
}

fn code<C: std::str::FromStr>(text: &str) -> Result<C, SeedError> {
    text.parse()
        .map_err(|_| SeedError::Invalid(format!("code {text}")))
}

/// The demo organisation tree.
pub fn demo_org() -> Result<OrgTree, SeedError> {
    let district: DistrictCode = code("110199")?;
    let streets = [("110199001", "和平里街道"), ("110199002", "安贞街道")];
    let communities = [
        ("110199001001", "和平里北社区"),
        ("110199001002", "和平里南社区"),
        ("110199002001", "安贞里社区"),
        ("110199002002", "安华里社区"),
    ];
    let mut grids = Vec::new();
    for (community, name) in &communities {
        for n in 1..=3 {
            grids.push(unit(
                code::<GridCode>(&format!("{community}{n:03}"))?,
                &format!("{name}第{n}网格"),
            ));
        }
    }
    let parts = OrgParts {
        districts: vec![unit(district, "示范区")],
        streets: streets
            .iter()
            .map(|(c, n)| Ok(unit(code::<StreetCode>(c)?, n)))
            .collect::<Result<_, SeedError>>()?,
        communities: communities
            .iter()
            .map(|(c, n)| Ok(unit(code::<CommunityCode>(c)?, n)))
            .collect::<Result<_, SeedError>>()?,
        grids,
        departments: shipped_departments(),
    };
    OrgTree::new(parts).map_err(|e| SeedError::Invalid(e.to_string()))
}

/// Seeds the demo accounts if the store has no users; returns them, or nothing if the store
/// already had users. Safe when several instances start at once on one database: the
/// accounts are inserted in one transaction that skips rows already there, so exactly one
/// set exists and only the instance that inserted it reports it.
pub async fn seed_demo<S: Store>(store: &S) -> Result<Vec<DemoAccount>, SeedError> {
    if store.count_users().await? > 0 {
        return Ok(Vec::new());
    }
    demo_org()?;
    let community: CommunityCode = code("110199001001")?;
    let grids: BTreeSet<GridCode> = (1..=3)
        .map(|n| code(&format!("110199001001{n:03}")))
        .collect::<Result<_, _>>()?;
    let accounts = [
        ("wangge", "张网格", Role::GridWorker, Scope::Grids { grids }),
        (
            "shequ",
            "李书记",
            Role::CommunitySecretary,
            Scope::Community { community },
        ),
        (
            "jiedao",
            "王主任",
            Role::StreetOffice,
            Scope::Street {
                street: code("110199001")?,
            },
        ),
        (
            "chengguan",
            "赵城管",
            Role::DepartmentHandler,
            Scope::Department {
                department: code("chengguan")?,
            },
        ),
        (
            "zhihui",
            "陈调度",
            Role::CoordinationOffice,
            Scope::Everything,
        ),
        ("quzhang", "刘区长", Role::DistrictLeader, Scope::Everything),
        (
            "admin",
            "系统管理员",
            Role::Administrator,
            Scope::Everything,
        ),
    ];
    let password = {
        let p = DEMO_PASSWORD.to_owned();
        tokio::task::spawn_blocking(move || hash_password(&p))
            .await
            .map_err(|e| AccountError::Hashing(e.to_string()))??
    };
    let mut records = Vec::with_capacity(accounts.len());
    let mut seeded = Vec::with_capacity(accounts.len());
    for (n, (login, name, role, scope)) in accounts.into_iter().enumerate() {
        // Fixed ids: two instances seeding at once insert the same rows, and the store keeps
        // one of each.
        let id = UserId::from_uuid(Uuid::from_u128(0xdead_0000 + n as u128 + 1))
            .map_err(|e| SeedError::Invalid(e.to_string()))?;
        records.push(UserRecord {
            id,
            login: login.to_owned(),
            display_name: name.to_owned(),
            role,
            scope,
            password_hash: password.clone(),
            disabled: false,
        });
        seeded.push(DemoAccount {
            login: login.to_owned(),
            role,
        });
    }
    if store.seed_users(&records).await? == 0 {
        // Another instance on the same database seeded them first.
        return Ok(Vec::new());
    }
    Ok(seeded)
}
