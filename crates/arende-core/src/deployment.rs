//! A deployment (driftsättning): the counties one process serves, each an engine of its
//! own over a store they share. The service (`arende serve`), its feeds, OParl export and
//! dashboard, and the command line on a store all take their engines from here, so a
//! county is found the same way everywhere: by its tenant id.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::clock::Clock;
use crate::engine::Engine;
use crate::ids::TenantId;
use crate::org::Organisation;
use crate::store::EventStore;

/// The store a deployment's engines share, behind a trait object so one process can run
/// on SQLite or PostgreSQL chosen at start.
pub type SharedStore = Arc<dyn EventStore>;

/// The clock a deployment's engines share (the system clock in production, a simulated
/// one in tests and `arende simulate`).
pub type SharedClock = Arc<dyn Clock>;

/// A county's engine (länets motor) in a deployment.
pub type CountyEngine = Engine<SharedStore, SharedClock>;

/// Two counties in one deployment with the same tenant id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the tenant {0} is configured twice")]
pub struct DuplicateTenant(pub TenantId);

/// The counties one process serves (driftsättning), by tenant id.
#[derive(Default)]
pub struct Deployment {
    counties: BTreeMap<TenantId, Arc<CountyEngine>>,
}

impl std::fmt::Debug for Deployment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deployment")
            .field("tenants", &self.counties.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Deployment {
    /// A deployment serving no county yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a county: an engine for `org` over the shared store and clock. Refused when
    /// the tenant is already served.
    pub fn add(
        &mut self,
        org: Arc<Organisation>,
        store: SharedStore,
        clock: SharedClock,
    ) -> Result<Arc<CountyEngine>, DuplicateTenant> {
        self.add_engine(Engine::new(org, store, clock))
    }

    /// Adds a county's engine built by the caller (e.g. with another cache capacity).
    pub fn add_engine(
        &mut self,
        engine: CountyEngine,
    ) -> Result<Arc<CountyEngine>, DuplicateTenant> {
        let tenant = engine.org().tenant.clone();
        if self.counties.contains_key(&tenant) {
            return Err(DuplicateTenant(tenant));
        }
        let engine = Arc::new(engine);
        self.counties.insert(tenant, Arc::clone(&engine));
        Ok(engine)
    }

    /// The county served under `tenant`, if any.
    pub fn county(&self, tenant: &TenantId) -> Option<&Arc<CountyEngine>> {
        self.counties.get(tenant)
    }

    /// Every county, in tenant order.
    pub fn counties(&self) -> impl Iterator<Item = &Arc<CountyEngine>> {
        self.counties.values()
    }

    /// The tenants served, in order.
    pub fn tenants(&self) -> impl Iterator<Item = &TenantId> {
        self.counties.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SimulatedClock;
    use crate::store::MemoryStore;

    fn org(tenant: &str) -> Arc<Organisation> {
        let text = include_str!("../../../config/orebro.toml").replacen(
            "tenant = \"orebro\"",
            &format!("tenant = \"{tenant}\""),
            1,
        );
        Arc::new(
            crate::config::load_str(&text, "orebro.toml").expect("the Örebro configuration loads"),
        )
    }

    #[test]
    fn counties_are_found_by_tenant_and_a_tenant_is_served_once() {
        let store: SharedStore = Arc::new(MemoryStore::default());
        let clock: SharedClock = Arc::new(SimulatedClock::at_date(
            chrono::NaiveDate::from_ymd_opt(2024, 9, 2).expect("a date"),
        ));
        let mut deployment = Deployment::new();
        deployment
            .add(org("orebro"), Arc::clone(&store), Arc::clone(&clock))
            .expect("first county");
        deployment
            .add(org("uppsala"), Arc::clone(&store), Arc::clone(&clock))
            .expect("second county");
        let again = deployment.add(org("orebro"), store, clock);
        assert!(matches!(again, Err(DuplicateTenant(t)) if t.as_str() == "orebro"));
        let tenants: Vec<&str> = deployment.tenants().map(|t| t.as_str()).collect();
        assert_eq!(tenants, ["orebro", "uppsala"]);
        assert!(deployment.county(&TenantId::new("uppsala")).is_some());
        assert!(deployment.county(&TenantId::new("gotland")).is_none());
    }
}
