//! The certbench command line as a library, so its code compiles beside the engine's instead of after it.

mod cli;

/// Parse the command line, run the CLI or the TUI, and return the process's exit code.
pub fn main() -> i32 {
    cli::main()
}
