//! SVG stage: charts as vector documents, written by a tiny streaming XML writer.
//!
//! [`charts`] lays each chart type out with the shared geometry of [`crate::layout`] (its exact,
//! untruncated forms) and writes the elements straight into one `String`; this module holds the
//! writer. It knows only what the chart documents need: elements with attributes, no text
//! nodes, no namespaces beyond the root's. Numbers are written the way Python's `repr` writes
//! floats (shortest form that reads back as the same double, `1.0` rather than `1`, exponents
//! from 1e16 and below 1e-4), so documents read like the original library's.
//!
//! This stage never reads Python objects, never copies the caller's columns, and keeps no state
//! between documents. It never writes a non-finite number into a document: the chart layouts
//! skip rows whose prices are not finite.

pub mod charts;

use std::fmt::Write as _;
use std::io::Write as _;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::errors::{Error, Result};
use crate::style::Rgba;

/// The XML declaration written before a document saved as a plain `.svg` file.
pub const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n";

/// A document being written, element by element, into one growing `String`.
#[derive(Debug, Default)]
pub struct SvgDocument {
    text: String,
}

impl SvgDocument {
    /// An empty document with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        SvgDocument {
            text: String::with_capacity(capacity),
        }
    }

    /// Starts element `tag`; add its attributes, then [`Element::open`] or [`Element::close`].
    pub fn element(&mut self, tag: &'static str) -> Element<'_> {
        self.text.push('<');
        self.text.push_str(tag);
        Element {
            text: &mut self.text,
            last_name: "",
        }
    }

    /// Closes element `tag`, opened earlier with [`Element::open`].
    pub fn end(&mut self, tag: &'static str) {
        self.text.push_str("</");
        self.text.push_str(tag);
        self.text.push('>');
    }

    /// The finished text.
    pub fn finish(self) -> String {
        self.text
    }
}

/// An element whose start tag is being written. Attributes must come in alphabetical order
/// (checked in debug builds), which keeps documents stable and matches what svgwrite wrote.
#[must_use = "an element must be finished with open() or close()"]
pub struct Element<'d> {
    text: &'d mut String,
    last_name: &'static str,
}

impl Element<'_> {
    /// Adds attribute `name` with `value`.
    pub fn attr(self, name: &'static str, value: impl AttrValue) -> Self {
        self.attr_with(name, |out| value.write_to(out))
    }

    /// Adds attribute `name` when `value` is `Some`.
    pub fn attr_if(self, name: &'static str, value: Option<impl AttrValue>) -> Self {
        match value {
            Some(value) => self.attr(name, value),
            None => self,
        }
    }

    /// Adds attribute `name` whose value `write` produces piece by piece (point lists, path
    /// data), so long values need no buffer of their own.
    pub fn attr_with(mut self, name: &'static str, write: impl FnOnce(&mut AttrText)) -> Self {
        debug_assert!(
            self.last_name < name,
            "attribute {name} written after {}",
            self.last_name
        );
        self.last_name = name;
        self.text.push(' ');
        self.text.push_str(name);
        self.text.push_str("=\"");
        write(&mut AttrText { text: self.text });
        self.text.push('"');
        self
    }

    /// Ends the start tag; children follow, then [`SvgDocument::end`].
    pub fn open(self) {
        self.text.push('>');
    }

    /// Ends the element without children: `<tag ... />`.
    pub fn close(self) {
        self.text.push_str(" />");
    }
}

/// The inside of an attribute value being written.
pub struct AttrText<'t> {
    text: &'t mut String,
}

impl AttrText<'_> {
    /// Appends `value` as Python's `repr` would write it.
    pub fn number(&mut self, value: f64) {
        write_python_float(self.text, value);
    }

    /// Appends text, escaped for a double-quoted attribute.
    pub fn text(&mut self, value: &str) {
        write_escaped(self.text, value);
    }
}

/// A value an attribute can hold.
pub trait AttrValue {
    /// Appends the value, escaped where it needs to be.
    fn write_to(&self, out: &mut AttrText<'_>);
}

impl AttrValue for f64 {
    fn write_to(&self, out: &mut AttrText<'_>) {
        out.number(*self);
    }
}

impl AttrValue for i32 {
    fn write_to(&self, out: &mut AttrText<'_>) {
        // Writing into a String cannot fail.
        let _ = write!(out.text, "{self}");
    }
}

impl AttrValue for u32 {
    fn write_to(&self, out: &mut AttrText<'_>) {
        let _ = write!(out.text, "{self}");
    }
}

impl AttrValue for &str {
    fn write_to(&self, out: &mut AttrText<'_>) {
        out.text(self);
    }
}

/// A colour written as `#RRGGBB`; its alpha goes into a separate opacity attribute (see
/// [`opacity_of`]), because SVG 1.1 viewers do not all read the eight-digit form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hex(pub Rgba);

impl AttrValue for Hex {
    fn write_to(&self, out: &mut AttrText<'_>) {
        // By hand rather than with `write!`: a chart writes one colour per element.
        const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
        out.text.push('#');
        for channel in &self.0[..3] {
            out.text.push(char::from(DIGITS[usize::from(channel >> 4)]));
            out.text
                .push(char::from(DIGITS[usize::from(channel & 0x0f)]));
        }
    }
}

/// The opacity (`alpha / 255`) of a translucent colour, `None` for an opaque one.
pub fn opacity_of(color: Rgba) -> Option<f64> {
    let alpha = color[3];
    (alpha < u8::MAX).then(|| f64::from(alpha) / f64::from(u8::MAX))
}

/// Appends `text` escaped for a double-quoted attribute value. Line breaks and tabs become
/// character references, because XML parsers turn literal ones into spaces.
pub fn write_escaped(out: &mut String, text: &str) {
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            other => out.push(other),
        }
    }
}

/// Appends `value` as Python's `repr(float)` writes it: the shortest digits that read back as
/// the same double (ties between two shortest candidates go to the even one, as in Python; Rust's
/// own `Display` rounds those up), fixed notation with at least one decimal from 1e-4 up to
/// 1e16, and scientific notation with a signed, two-digit exponent outside that (`1e+16`,
/// `1e-05`).
pub fn write_python_float(out: &mut String, value: f64) {
    if !value.is_finite() {
        out.push_str(if value.is_nan() {
            "nan"
        } else if value > 0.0 {
            "inf"
        } else {
            "-inf"
        });
        return;
    }
    let mut buffer = ryu::Buffer::new();
    let shortest = buffer.format_finite(value);
    let magnitude = value.abs();
    if magnitude == 0.0 || (1e-4..1e16).contains(&magnitude) {
        // In this range Ryu writes exactly what Python does (fixed notation, "1.0" for whole
        // numbers).
        out.push_str(shortest);
    } else {
        write_scientific(out, shortest);
    }
}

/// Rewrites Ryu's text of a number outside 1e-4..1e16 ("1.5e16", "1e-7", or fixed "0.0000123"
/// between 1e-5 and 1e-4) in Python's scientific form ("1.5e+16", "1e-07", "1.23e-05").
fn write_scientific(out: &mut String, shortest: &str) {
    let (negative, unsigned) = match shortest.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, shortest),
    };
    let (mantissa, exponent) = match unsigned.split_once('e') {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().unwrap_or(0)),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));

    // The significant digits (at most 17 for a double), without the zeros around them.
    let mut digits = [b'0'; 24];
    let mut count = 0;
    let mut leading_zeros = 0;
    for digit in whole.bytes().chain(fraction.bytes()) {
        if count == 0 && digit == b'0' {
            leading_zeros += 1;
        } else if count < digits.len() {
            digits[count] = digit;
            count += 1;
        }
    }
    while count > 1 && digits[count - 1] == b'0' {
        count -= 1;
    }
    let exponent = exponent + whole.len() as i32 - leading_zeros - 1;

    if negative {
        out.push('-');
    }
    out.push(char::from(digits[0]));
    if count > 1 {
        out.push('.');
        out.extend(digits[1..count].iter().map(|&digit| char::from(digit)));
    }
    let sign = if exponent < 0 { '-' } else { '+' };
    let _ = write!(out, "e{sign}{:02}", exponent.unsigned_abs());
}

/// The bytes of an SVG file: the document gzip-compressed (level 9, as the original wrote
/// `.svgz` files, without an XML declaration) when `compress`, else the XML declaration
/// followed by the document.
pub fn svg_file_bytes(document: &str, compress: bool) -> Result<Vec<u8>> {
    if !compress {
        let mut bytes = Vec::with_capacity(XML_DECLARATION.len() + document.len());
        bytes.extend_from_slice(XML_DECLARATION.as_bytes());
        bytes.extend_from_slice(document.as_bytes());
        return Ok(bytes);
    }
    let mut encoder = GzEncoder::new(Vec::with_capacity(document.len() / 4), Compression::best());
    encoder
        .write_all(document.as_bytes())
        .and_then(|()| encoder.finish())
        .map_err(|error| Error::Encode(format!("Could not gzip the SVG document: {error}.")))
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use flate2::read::GzDecoder;

    use crate::test_support::XorShift;

    use super::*;

    fn python_repr(value: f64) -> String {
        let mut out = String::new();
        write_python_float(&mut out, value);
        out
    }

    #[test]
    fn floats_are_written_like_python_repr() {
        let cases = [
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1920.0, "1920.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (756.0 - 1.0 / 3.0, "755.6666666666666"),
            (1e-4, "0.0001"),
            (1e-5, "1e-05"),
            (-2.5e-7, "-2.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (1e100, "1e+100"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (value, expected) in cases {
            assert_eq!(python_repr(value), expected, "{value:?}");
        }
    }

    #[test]
    fn ties_between_shortest_digits_go_to_even_as_in_python() {
        // Exactly halfway between ...858.12 and ...858.13 (both sums are exact in binary):
        // Python writes ...12, Rust's Display ...13.
        let tie = 165_793_407_361_858.0 + 0.125;
        assert_eq!(python_repr(tie), "165793407361858.12");
        assert_eq!(format!("{tie}"), "165793407361858.13");
    }

    #[test]
    fn scientific_forms_match_python() {
        let cases = [
            (0.0000123, "1.23e-05"),
            (-0.00005, "-5e-05"),
            (9.999999999999999e-5, "9.999999999999999e-05"),
            (1.5e16, "1.5e+16"),
            (-1e300, "-1e+300"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
        ];
        for (value, expected) in cases {
            assert_eq!(python_repr(value), expected, "{value:?}");
        }
    }

    #[test]
    fn written_floats_read_back_exactly() {
        let mut random = XorShift::new(0x2545_f491_4f6c_dd1d);
        let mut next = move || random.next_u64();
        for round in 0..200_000 {
            let bits = next();
            // Every bit pattern, then coordinates of a typical chart.
            let value = if round % 2 == 0 {
                f64::from_bits(bits)
            } else {
                (bits % 10_000_000) as f64 / 997.0 - 100.0
            };
            if value.is_finite() {
                let written = python_repr(value);
                assert_eq!(written.parse::<f64>().unwrap(), value, "{written}");
                let fixed = value == 0.0 || (1e-4..1e16).contains(&value.abs());
                assert_eq!(fixed, !written.contains('e'), "{written}");
                assert!(written.contains('.') || written.contains('e'), "{written}");
            }
        }
    }

    #[test]
    fn attribute_values_are_escaped() {
        let mut out = String::new();
        write_escaped(&mut out, "a<b>&\"c\"\n'd'");
        assert_eq!(out, "a&lt;b&gt;&amp;&quot;c&quot;&#10;'d'");
    }

    #[test]
    fn elements_nest_and_close() {
        let mut document = SvgDocument::default();
        document.element("g").attr("id", "x&y").open();
        document
            .element("rect")
            .attr("fill", Hex([255, 8, 0, 128]))
            .attr_if("fill-opacity", opacity_of([255, 8, 0, 128]))
            .attr("height", 2.5)
            .attr_if("opacity", None::<f64>)
            .attr("width", 3)
            .close();
        document
            .element("polyline")
            .attr_with("points", |out| {
                out.number(1.0);
                out.text(",");
                out.number(0.5);
            })
            .close();
        document.end("g");
        assert_eq!(
            document.finish(),
            "<g id=\"x&amp;y\"><rect fill=\"#FF0800\" fill-opacity=\"0.5019607843137255\" \
             height=\"2.5\" width=\"3\" /><polyline points=\"1.0,0.5\" /></g>"
        );
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "attribute fill written after width")]
    fn attributes_out_of_order_are_caught_in_debug_builds() {
        let mut document = SvgDocument::default();
        document
            .element("rect")
            .attr("width", 1)
            .attr("fill", "none")
            .close();
    }

    #[test]
    fn opaque_colours_need_no_opacity() {
        assert_eq!(opacity_of([1, 2, 3, 255]), None);
        assert_eq!(opacity_of([1, 2, 3, 0]), Some(0.0));
    }

    #[test]
    fn files_are_declared_or_gzipped() {
        let document = "<svg />";
        let plain = svg_file_bytes(document, false).unwrap();
        assert_eq!(plain, format!("{XML_DECLARATION}{document}").into_bytes());

        let packed = svg_file_bytes(document, true).unwrap();
        assert_eq!(&packed[..2], &[0x1f, 0x8b]);
        let mut unpacked = String::new();
        GzDecoder::new(&packed[..])
            .read_to_string(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, document);
    }
}
