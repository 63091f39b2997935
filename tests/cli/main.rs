//! Integration tests: the real binary, a real SQLite file, real HTTP over loopback.

mod config;
mod crash;
mod digest;
mod export;
mod faults;
mod ingest;
mod parse_spec;
mod search;
mod stories;
mod util;
