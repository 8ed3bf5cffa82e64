//! Beyond one well-behaved agent: fault injection seen from a real HTTP client, and fleet mode.

mod faults;
mod fleet;
mod record;
mod record_props;
