//! A point on the earth, as reported by the phone's GPS (WGS-84).
//!
//! Chinese map services use GCJ-02; conversion for display is the map layer's job, the stored
//! value is always what the receiver reported.

use serde::{Deserialize, Serialize};

use crate::Error;

/// A validated WGS-84 latitude/longitude pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPoint", into = "RawPoint")]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

#[derive(Serialize, Deserialize)]
struct RawPoint {
    lat: f64,
    lon: f64,
}

impl GeoPoint {
    /// Validates latitude (−90…90) and longitude (−180…180), both finite.
    pub fn new(lat: f64, lon: f64) -> Result<Self, Error> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(Error::invalid(
                "latitude",
                &lat.to_string(),
                "must be within −90…90",
            ));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(Error::invalid(
                "longitude",
                &lon.to_string(),
                "must be within −180…180",
            ));
        }
        Ok(Self { lat, lon })
    }

    /// Latitude in degrees.
    pub fn lat(&self) -> f64 {
        self.lat
    }

    /// Longitude in degrees.
    pub fn lon(&self) -> f64 {
        self.lon
    }
}

impl TryFrom<RawPoint> for GeoPoint {
    type Error = Error;

    fn try_from(raw: RawPoint) -> Result<Self, Error> {
        Self::new(raw.lat, raw.lon)
    }
}

impl From<GeoPoint> for RawPoint {
    fn from(p: GeoPoint) -> Self {
        RawPoint {
            lat: p.lat,
            lon: p.lon,
        }
    }
}

impl autosurgeon::Reconcile for GeoPoint {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        use autosurgeon::reconcile::MapReconciler;
        let mut map = r.map()?;
        map.put("lat", self.lat)?;
        map.put("lon", self.lon)?;
        Ok(())
    }
}

impl autosurgeon::Hydrate for GeoPoint {
    fn hydrate_map<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, autosurgeon::HydrateError> {
        let lat: f64 = autosurgeon::hydrate_prop(doc, obj, "lat")?;
        let lon: f64 = autosurgeon::hydrate_prop(doc, obj, "lon")?;
        Self::new(lat, lon)
            .map_err(|e| autosurgeon::HydrateError::unexpected("a point", e.to_string()))
    }
}
