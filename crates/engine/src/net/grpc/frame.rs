//! gRPC's message framing on an HTTP/2 body: a compressed flag, a 4-byte big-endian length,
//! then the message; read from a body that arrives in pieces, one message at most
//! `max` bytes.

use bytes::{Buf, BufMut, Bytes, BytesMut};

/// One message framed for the wire (never compressed).
pub fn encode(message: &[u8], into: &mut BytesMut) {
    into.reserve(5 + message.len());
    into.put_u8(0);
    into.put_u32(u32::try_from(message.len()).unwrap_or(u32::MAX));
    into.put_slice(message);
}

/// Why the body could not be read as messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// A message says it is longer than the most taken.
    TooLarge { length: u64, max: usize },
    /// A compressed message: certbench asks for none (`grpc-accept-encoding: identity`).
    Compressed,
    /// The body ended inside a message.
    Truncated { missing: usize },
}

/// Messages out of a body's pieces.
#[derive(Debug)]
pub struct Deframer {
    buf: BytesMut,
    max: usize,
}

impl Deframer {
    pub fn new(max: usize) -> Deframer {
        Deframer {
            buf: BytesMut::new(),
            max,
        }
    }

    /// Takes `piece` and returns the messages it completes. A message over the most is refused
    /// from its header, before its bytes are held.
    pub fn push(&mut self, piece: &[u8]) -> Result<Vec<Bytes>, FrameError> {
        self.buf.extend_from_slice(piece);
        let mut out = Vec::new();
        while self.buf.len() >= 5 {
            let flag = self.buf[0];
            let length = u32::from_be_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]]);
            if u64::from(length) > self.max as u64 {
                return Err(FrameError::TooLarge {
                    length: u64::from(length),
                    max: self.max,
                });
            }
            if flag != 0 {
                return Err(FrameError::Compressed);
            }
            let length = length as usize;
            if self.buf.len() < 5 + length {
                break;
            }
            self.buf.advance(5);
            out.push(self.buf.split_to(length).freeze());
        }
        Ok(out)
    }

    /// At the body's end: an error when a message was left half read.
    pub fn finish(&self) -> Result<(), FrameError> {
        match self.buf.len() {
            0 => Ok(()),
            n => {
                let want = if n >= 5 {
                    5 + u32::from_be_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]])
                        as usize
                } else {
                    5
                };
                Err(FrameError::Truncated {
                    missing: want.saturating_sub(n),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_split_anywhere_come_out_whole_and_a_huge_length_is_refused_at_once() {
        let mut wire = BytesMut::new();
        encode(b"hello", &mut wire);
        encode(b"", &mut wire);
        encode(b"world!", &mut wire);
        let mut d = Deframer::new(16);
        let mut got = Vec::new();
        for byte in wire.chunks(3) {
            got.extend(d.push(byte).unwrap());
        }
        assert_eq!(got, [&b"hello"[..], b"", b"world!"]);
        assert!(d.finish().is_ok());
        let mut d = Deframer::new(16);
        assert_eq!(
            d.push(&[0, 0xff, 0xff, 0xff, 0xff]),
            Err(FrameError::TooLarge {
                length: u32::MAX as u64,
                max: 16
            })
        );
        let mut d = Deframer::new(16);
        assert!(d.push(&[1, 0, 0, 0, 1, 9]).is_err());
        let mut d = Deframer::new(16);
        d.push(&[0, 0, 0, 0, 4, 1]).unwrap();
        assert_eq!(d.finish(), Err(FrameError::Truncated { missing: 3 }));
    }
}
