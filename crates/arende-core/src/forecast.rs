//! Forecast: when can a matter be decided?

/// A forecast that could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ForecastError {}
