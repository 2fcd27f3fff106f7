//! The certbench binary: parse the command line, then hand over to the CLI or the TUI.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
