//! Integration tests: the real binary, a real SQLite file, real HTTP over loopback.

mod cli_ux;
mod cli_ux2;
mod config;
mod crash;
mod digest;
mod export;
mod faults;
mod ingest;
mod llm;
mod search;
mod stories;
mod topic_quality;
mod util;
