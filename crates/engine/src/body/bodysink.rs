//! Where a response body goes while it arrives: through its content decoders as it streams,
//! into memory up to a cap or into a file of any size, so a compression bomb costs at most the cap.

use std::io::{self, Write};
use std::path::Path;

use crate::destination::{DestinationError, Output, Pending};
use std::sync::{Arc, Mutex};

/// One step of the decoding chain; `end` flushes it and then the steps it feeds.
trait Stage: Write + Send {
    fn end(&mut self) -> io::Result<()>;
}

/// A content coding this build can undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Gzip,
    Deflate,
    Brotli,
    Zstd,
}

impl Coding {
    /// The codings of a Content-Encoding value, in the order they were applied.
    pub fn parse_list(header: &str) -> Result<Vec<Coding>, String> {
        header
            .split(',')
            .map(|c| c.trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty() && c != "identity")
            .map(|c| match c.as_str() {
                "gzip" | "x-gzip" => Ok(Coding::Gzip),
                "deflate" => Ok(Coding::Deflate),
                "br" => Ok(Coding::Brotli),
                "zstd" => Ok(Coding::Zstd),
                other => Err(format!("unknown content coding {other:?}")),
            })
            .collect()
    }
}

/// What the end of the chain has seen; shared so it can be read after the chain is dropped.
#[derive(Debug, Default)]
struct Tally {
    kept: Vec<u8>,
    /// The file written, handed back by the end of the chain once flushed, to sync before its rename.
    closed: Option<std::fs::File>,
    written: u64,
    full: bool,
}

/// The end of the chain: memory up to `limit` bytes, or a file.
struct End {
    tally: Arc<Mutex<Tally>>,
    limit: u64,
    file: Option<io::BufWriter<std::fs::File>>,
}

fn over_limit() -> io::Error {
    io::Error::other("over the body size limit")
}

impl Write for End {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut t = self.tally.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(f) = self.file.as_mut() {
            f.write_all(buf)?;
            t.written += buf.len() as u64;
            return Ok(buf.len());
        }
        let room = self.limit.saturating_sub(t.written) as usize;
        if buf.len() > room {
            t.kept.extend_from_slice(&buf[..room]);
            t.written += room as u64;
            t.full = true;
            return Err(over_limit());
        }
        t.kept.extend_from_slice(buf);
        t.written += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), Write::flush)
    }
}

impl Stage for End {
    fn end(&mut self) -> io::Result<()> {
        self.flush()?;
        if let Some(w) = self.file.take() {
            let file = w.into_inner().map_err(|e| e.into_error())?;
            self.tally.lock().unwrap_or_else(|e| e.into_inner()).closed = Some(file);
        }
        Ok(())
    }
}

macro_rules! flate_stage {
    ($t:ty) => {
        impl Stage for $t {
            fn end(&mut self) -> io::Result<()> {
                self.try_finish()?;
                self.get_mut().end()
            }
        }
    };
}
flate_stage!(flate2::write::MultiGzDecoder<Box<dyn Stage>>);
flate_stage!(flate2::write::ZlibDecoder<Box<dyn Stage>>);
flate_stage!(flate2::write::DeflateDecoder<Box<dyn Stage>>);

impl Stage for brotli::DecompressorWriter<Box<dyn Stage>> {
    fn end(&mut self) -> io::Result<()> {
        self.close()?;
        self.get_mut().end()
    }
}

impl Stage for zstd::stream::write::Decoder<'static, Box<dyn Stage>> {
    fn end(&mut self) -> io::Result<()> {
        self.flush()?;
        self.get_mut().end()
    }
}

/// `deflate` is zlib-wrapped by the standard and raw by some servers: the first two bytes decide.
struct Deflate {
    head: Vec<u8>,
    inner: Option<Box<dyn Stage>>,
    chosen: Option<Box<dyn Stage>>,
}

impl Deflate {
    fn choose(&mut self) -> io::Result<()> {
        if self.chosen.is_some() {
            return Ok(());
        }
        let inner = self.inner.take().expect("chosen once");
        let zlib = self.head.len() >= 2
            && self.head[0] & 0x0f == 8
            && (u16::from(self.head[0]) << 8 | u16::from(self.head[1])) % 31 == 0;
        let mut stage: Box<dyn Stage> = if zlib {
            Box::new(flate2::write::ZlibDecoder::new(inner))
        } else {
            Box::new(flate2::write::DeflateDecoder::new(inner))
        };
        stage.write_all(&std::mem::take(&mut self.head))?;
        self.chosen = Some(stage);
        Ok(())
    }
}

impl Write for Deflate {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(s) = self.chosen.as_mut() {
            return s.write(buf);
        }
        self.head.extend_from_slice(buf);
        if self.head.len() >= 2 {
            self.choose()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.chosen.as_mut().map_or(Ok(()), |s| s.flush())
    }
}

impl Stage for Deflate {
    fn end(&mut self) -> io::Result<()> {
        self.choose()?;
        self.chosen.as_mut().map_or(Ok(()), |s| s.end())
    }
}

/// Why the sink stopped taking bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum SinkError {
    /// More than the limit came out of the decoders; what fitted is kept.
    Full,
    /// The data does not decode as its Content-Encoding says.
    Decode(String),
    /// Writing the file failed.
    Io(String),
}

/// A body on its way in: feed it the bytes as they arrive, then finish.
pub struct BodySink {
    chain: Box<dyn Stage>,
    tally: Arc<Mutex<Tally>>,
    file: Option<Pending>,
}

/// What the sink holds at the end.
#[derive(Debug)]
pub struct Received {
    /// The decoded body (empty when it went to a file).
    pub body: Vec<u8>,
    /// Bytes that came out of the decoders (kept or written).
    pub decoded: u64,
}

impl BodySink {
    /// Into memory, at most `limit` decoded bytes.
    pub fn memory(codings: &[Coding], limit: u64, expected: Option<u64>) -> BodySink {
        let tally = Arc::new(Mutex::new(Tally {
            kept: Vec::with_capacity(expected.unwrap_or(0).min(limit).min(64 << 20) as usize),
            ..Tally::default()
        }));
        let end = End {
            tally: tally.clone(),
            limit,
            file: None,
        };
        BodySink {
            chain: chain(codings, Box::new(end)),
            tally,
            file: None,
        }
    }

    /// Into `path`, any size: a regular file is written beside and takes its name only when the
    /// body is complete, so a failed send never leaves half a file; a device or FIFO is written
    /// in place (see [`super::destination`]).
    pub fn file(codings: &[Coding], path: &Path) -> Result<BodySink, DestinationError> {
        let (file, pending) = Output::create(path, 0o600)?.into_parts();
        let tally = Arc::new(Mutex::new(Tally::default()));
        let end = End {
            tally: tally.clone(),
            limit: u64::MAX,
            file: Some(io::BufWriter::with_capacity(256 << 10, file)),
        };
        Ok(BodySink {
            chain: chain(codings, Box::new(end)),
            tally,
            file: Some(pending),
        })
    }

    /// Pushes what the decoders hold out to the end (an event stream shows each event at once).
    pub fn flush(&mut self) -> Result<(), SinkError> {
        let res = self.chain.flush();
        self.verdict(res)
    }

    /// The decoded bytes kept from offset `from` on (those a stream reader has not seen yet).
    pub fn kept_since(&self, from: usize) -> Vec<u8> {
        self.tally
            .lock()
            .map(|t| t.kept.get(from..).unwrap_or_default().to_vec())
            .unwrap_or_default()
    }

    pub fn decoded(&self) -> u64 {
        self.tally.lock().map(|t| t.written).unwrap_or(0)
    }

    pub fn write(&mut self, chunk: &[u8]) -> Result<(), SinkError> {
        let res = self.chain.write_all(chunk);
        self.verdict(res)
    }

    fn verdict(&self, res: io::Result<()>) -> Result<(), SinkError> {
        match res {
            Ok(()) => Ok(()),
            Err(_) if self.tally.lock().is_ok_and(|t| t.full) => Err(SinkError::Full),
            Err(e) if self.file.is_some() && e.kind() != io::ErrorKind::InvalidData => {
                Err(SinkError::Io(e.to_string()))
            }
            Err(e) => Err(SinkError::Decode(e.to_string())),
        }
    }

    /// Ends the decoders and, for a file, gives it its name.
    pub fn finish(mut self) -> Result<Received, SinkError> {
        let res = self.chain.end();
        self.verdict(res)?;
        drop(self.chain);
        if let Some(pending) = self.file.take() {
            let closed = self.tally.lock().ok().and_then(|mut t| t.closed.take());
            pending
                .commit(closed.as_ref())
                .map_err(|e| SinkError::Io(e.to_string()))?;
        }
        let mut t = self.tally.lock().unwrap_or_else(|e| e.into_inner());
        Ok(Received {
            body: std::mem::take(&mut t.kept),
            decoded: t.written,
        })
    }

    /// What fitted under the limit, when the sink stopped taking bytes.
    pub fn into_kept(self) -> Received {
        let mut t = self.tally.lock().unwrap_or_else(|e| e.into_inner());
        Received {
            body: std::mem::take(&mut t.kept),
            decoded: t.written,
        }
    }
}

fn chain(codings: &[Coding], end: Box<dyn Stage>) -> Box<dyn Stage> {
    // The first coding applied is the last undone: it sits next to the end.
    codings.iter().fold(end, |inner, c| -> Box<dyn Stage> {
        match c {
            Coding::Gzip => Box::new(flate2::write::MultiGzDecoder::new(inner)),
            Coding::Deflate => Box::new(Deflate {
                head: Vec::new(),
                inner: Some(inner),
                chosen: None,
            }),
            Coding::Brotli => Box::new(brotli::DecompressorWriter::new(inner, 64 << 10)),
            Coding::Zstd => match zstd::stream::write::Decoder::new(inner) {
                Ok(d) => Box::new(d),
                Err(e) => Box::new(Broken(e.to_string())),
            },
        }
    })
}

/// A decoder that could not be set up: every write says why.
struct Broken(String);

impl Write for Broken {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::InvalidData, self.0.clone()))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Stage for Broken {
    fn end(&mut self) -> io::Result<()> {
        Err(io::Error::new(io::ErrorKind::InvalidData, self.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn feed(sink: &mut BodySink, data: &[u8]) -> Result<(), SinkError> {
        data.chunks(1000).try_for_each(|c| sink.write(c))
    }

    #[test]
    fn every_coding_and_a_stack_of_them_decode_while_streaming() {
        let plain = b"hello hello hello ".repeat(500);
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), Default::default());
        zlib.write_all(&plain).unwrap();
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), Default::default());
        raw.write_all(&plain).unwrap();
        let mut br = Vec::new();
        brotli::BrotliCompress(&mut &plain[..], &mut br, &Default::default()).unwrap();
        let zst = zstd::encode_all(&plain[..], 3).unwrap();
        for (name, coded) in [
            ("gzip", gzip(&plain)),
            ("deflate", zlib.finish().unwrap()),
            ("deflate", raw.finish().unwrap()),
            ("br", br),
            ("zstd", zst.clone()),
            ("zstd, gzip", gzip(&zst)),
        ] {
            let codings = Coding::parse_list(name).unwrap();
            let mut sink = BodySink::memory(&codings, 1 << 20, None);
            feed(&mut sink, &coded).unwrap();
            let got = sink.finish().unwrap();
            assert_eq!(got.body, plain, "{name}");
        }
        assert!(Coding::parse_list("gzip, compress").is_err());
    }

    #[test]
    fn a_bomb_stops_at_the_limit_and_keeps_what_fitted() {
        let bomb = gzip(&vec![0u8; 50 << 20]);
        assert!(bomb.len() < 100 << 10, "{}", bomb.len());
        let mut sink = BodySink::memory(&[Coding::Gzip], 1 << 20, None);
        assert_eq!(feed(&mut sink, &bomb), Err(SinkError::Full));
        let kept = sink.into_kept();
        assert_eq!(kept.body.len(), 1 << 20);
        assert_eq!(kept.decoded, 1 << 20);
    }

    #[test]
    fn garbage_says_it_does_not_decode() {
        let mut sink = BodySink::memory(&[Coding::Gzip], 1 << 20, None);
        let res = feed(&mut sink, b"this is not gzip at all");
        assert!(matches!(res, Err(SinkError::Decode(_))), "{res:?}");
    }

    #[test]
    fn a_file_takes_its_name_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.bin");
        let data = vec![7u8; 3 << 20];
        let mut sink = BodySink::file(&[Coding::Gzip], &target).unwrap();
        feed(&mut sink, &gzip(&data)).unwrap();
        assert!(!target.exists(), "named before the end");
        let got = sink.finish().unwrap();
        assert_eq!(got.decoded, data.len() as u64);
        assert!(got.body.is_empty());
        assert_eq!(std::fs::read(&target).unwrap(), data);
        // A sink dropped half way leaves nothing behind.
        let other = dir.path().join("other.bin");
        let mut sink = BodySink::file(&[], &other).unwrap();
        sink.write(b"partial").unwrap();
        drop(sink);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
