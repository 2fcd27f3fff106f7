//! Response bodies: the streaming sink (decoding, caps, files) and the line index shown on screen.

pub mod bodylines;
pub mod bodysink;
pub mod events;
mod json_index;
mod json_lines;
pub mod kept;
mod line_index;
pub mod messages;
mod xml_index;
