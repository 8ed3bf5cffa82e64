//! agent-sim facing hostile input and stalled consumers: a seeded bad-input campaign against
//! every route of the agent and control API, a stderr pipe nobody reads, clients that vanish
//! from hung requests, and a fleet in which one agent is attacked.

mod bodies;
mod campaign;
mod fleet;
mod generate;
mod hang;
mod logs;
mod support;
