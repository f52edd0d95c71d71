//! Antialiased drawing with tiny-skia, composited onto a [`Canvas`].
//!
//! Shapes are drawn into a transparent tiny-skia pixmap (premultiplied RGBA) with the same
//! geometry the aliased renderers use, pixel coordinates taken as pixel centres. The layer is
//! then laid over the canvas ("source over"): only pixels the shapes touch change, so the grid
//! and volume bars drawn without antialiasing keep their exact colours, and translucent
//! colours blend with what is beneath instead of replacing it.
//!
//! This is what `antialias=True` means for line and Point & Figure charts; the original
//! library had no such mode (its `enable_antialiasing` only picked RGBA output).

use tiny_skia::{FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};

use crate::layout::ChartSize;
use crate::raster::strokes::{BoundingBox, Point};
use crate::raster::{Canvas, Channels};
use crate::style::Rgba;

/// A transparent layer over part of a chart that antialiased shapes are drawn into.
///
/// Shapes are given in canvas coordinates; the layer only stores (and composites) the pixels
/// of the area it was made for, so a small drawing costs little on a large chart.
pub struct SmoothLayer {
    pixmap: Pixmap,
    left: i32,
    top: i32,
    to_layer: Transform,
}

impl SmoothLayer {
    /// A transparent layer over the pixels of `area`, clipped to a chart of `size`; `None`
    /// when nothing of `area` is on the chart.
    pub fn covering(size: ChartSize, area: BoundingBox) -> Option<Self> {
        let left = area.left.max(0);
        let top = area.top.max(0);
        let right = area.right.min(size.width as i32 - 1);
        let bottom = area.bottom.min(size.height as i32 - 1);
        if left > right || top > bottom {
            return None;
        }
        let pixmap = Pixmap::new((right - left + 1) as u32, (bottom - top + 1) as u32)?;
        Some(SmoothLayer {
            pixmap,
            left,
            top,
            to_layer: Transform::from_translate(-left as f32, -top as f32),
        })
    }

    /// The smallest area holding every point of `points` with a margin of `margin` pixels.
    pub fn area_around(points: &[Point], margin: i32) -> Option<BoundingBox> {
        let first = points.first()?;
        let start = BoundingBox {
            left: first.x,
            top: first.y,
            right: first.x,
            bottom: first.y,
        };
        let bounds = points.iter().fold(start, |bounds, point| BoundingBox {
            left: bounds.left.min(point.x),
            top: bounds.top.min(point.y),
            right: bounds.right.max(point.x),
            bottom: bounds.bottom.max(point.y),
        });
        Some(BoundingBox {
            left: bounds.left.saturating_sub(margin),
            top: bounds.top.saturating_sub(margin),
            right: bounds.right.saturating_add(margin),
            bottom: bounds.bottom.saturating_add(margin),
        })
    }

    /// Strokes the polyline through the centres of `points`, `width` pixels wide, with flat
    /// ends and round bends.
    pub fn stroke_line(&mut self, points: &[Point], width: f32, color: Rgba) {
        let mut path = PathBuilder::new();
        let mut centres = points.iter().map(|point| pixel_centre(*point));
        let Some((x, y)) = centres.next() else {
            return;
        };
        path.move_to(x, y);
        for (x, y) in centres {
            path.line_to(x, y);
        }
        let Some(path) = path.finish() else {
            return;
        };
        let stroke = Stroke {
            width,
            line_cap: LineCap::Butt,
            line_join: LineJoin::Round,
            ..Stroke::default()
        };
        self.pixmap
            .stroke_path(&path, &paint(color), &stroke, self.to_layer, None);
    }

    /// Fills the polygon through the centres of `vertices`.
    pub fn fill_polygon(&mut self, vertices: &[Point], color: Rgba) {
        let mut path = PathBuilder::new();
        let mut centres = vertices.iter().map(|point| pixel_centre(*point));
        let Some((x, y)) = centres.next() else {
            return;
        };
        path.move_to(x, y);
        for (x, y) in centres {
            path.line_to(x, y);
        }
        path.close();
        if let Some(path) = path.finish() {
            self.pixmap
                .fill_path(&path, &paint(color), FillRule::Winding, self.to_layer, None);
        }
    }

    /// Strokes the ellipse inscribed in the pixels of `bounds`, `width` pixels wide, so that
    /// its outer edge touches the box's outer pixel edges. A box too small for the stroke is
    /// filled instead.
    pub fn stroke_oval(&mut self, bounds: BoundingBox, width: f32, color: Rgba) {
        let (left, top) = (bounds.left as f32, bounds.top as f32);
        let (right, bottom) = (bounds.right as f32 + 1.0, bounds.bottom as f32 + 1.0);
        let inset = width / 2.0;
        let centred = Rect::from_ltrb(left + inset, top + inset, right - inset, bottom - inset);
        match centred.and_then(PathBuilder::from_oval) {
            Some(path) => {
                let stroke = Stroke {
                    width,
                    ..Stroke::default()
                };
                self.pixmap
                    .stroke_path(&path, &paint(color), &stroke, self.to_layer, None);
            }
            None => {
                if let Some(path) =
                    Rect::from_ltrb(left, top, right, bottom).and_then(PathBuilder::from_oval)
                {
                    self.pixmap.fill_path(
                        &path,
                        &paint(color),
                        FillRule::Winding,
                        self.to_layer,
                        None,
                    );
                }
            }
        }
    }

    /// Lays the layer over `canvas`, changing only the pixels the shapes touched.
    pub fn composite_onto(&self, canvas: &mut Canvas) {
        let opaque = canvas.channels() == Channels::Rgb;
        let layer_width = self.pixmap.width() as usize;
        for (row, sources) in self.pixmap.pixels().chunks_exact(layer_width).enumerate() {
            let y = self.top + row as i32;
            for (column, source) in sources.iter().enumerate() {
                if source.alpha() == 0 {
                    continue;
                }
                let x = self.left + column as i32;
                let premultiplied = [source.red(), source.green(), source.blue(), source.alpha()];
                let below = canvas.pixel(x as u32, y as u32);
                let below = [
                    below[0],
                    below[1],
                    below[2],
                    if opaque { 255 } else { below[3] },
                ];
                canvas.put_pixel(x, y, source_over(premultiplied, below));
            }
        }
    }
}

/// `source` (premultiplied) over `below` (straight alpha), as straight alpha.
fn source_over(source: [u8; 4], below: Rgba) -> Rgba {
    let source_alpha = f32::from(source[3]) / 255.0;
    let below_alpha = f32::from(below[3]) / 255.0;
    let kept = below_alpha * (1.0 - source_alpha);
    let alpha = source_alpha + kept;
    if alpha <= 0.0 {
        return [0, 0, 0, 0];
    }
    let channel = |index: usize| {
        let value = (f32::from(source[index]) + f32::from(below[index]) * kept) / alpha;
        value.round().clamp(0.0, 255.0) as u8
    };
    [
        channel(0),
        channel(1),
        channel(2),
        (alpha * 255.0).round().clamp(0.0, 255.0) as u8,
    ]
}

fn pixel_centre(point: Point) -> (f32, f32) {
    (point.x as f32 + 0.5, point.y as f32 + 0.5)
}

fn paint(color: Rgba) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(color[0], color[1], color[2], color[3]);
    paint.anti_alias = true;
    paint
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opaque_source_replaces_and_clear_source_keeps() {
        assert_eq!(
            source_over([10, 20, 30, 255], [1, 2, 3, 255]),
            [10, 20, 30, 255]
        );
        assert_eq!(source_over([0, 0, 0, 0], [1, 2, 3, 64]), [1, 2, 3, 64]);
    }

    #[test]
    fn half_covered_white_over_black_is_grey() {
        assert_eq!(
            source_over([128, 128, 128, 128], [0, 0, 0, 255]),
            [128, 128, 128, 255]
        );
    }

    #[test]
    fn over_a_translucent_pixel_the_alphas_combine() {
        // 50 % red over 50 % blue: alpha 75 %, colour 2/3 red, 1/3 blue.
        let result = source_over([128, 0, 0, 128], [0, 0, 255, 128]);
        assert_eq!(result[3], 192);
        assert!(
            (169..=171).contains(&result[0]) && (84..=86).contains(&result[2]),
            "{result:?}"
        );
    }

    #[test]
    fn a_diagonal_line_gets_partial_pixels_only_near_its_path() {
        let size = ChartSize {
            width: 20,
            height: 20,
        };
        let mut canvas = Canvas::new(size, Channels::Rgba, [0, 0, 0, 255]);
        // Partly off the chart on the left: clipped, and drawn with its offset applied.
        let area = BoundingBox {
            left: -5,
            top: 0,
            right: 19,
            bottom: 12,
        };
        let mut layer = SmoothLayer::covering(size, area).unwrap();
        layer.stroke_line(
            &[Point::new(2, 2), Point::new(17, 9)],
            1.5,
            [255, 255, 255, 255],
        );
        layer.composite_onto(&mut canvas);
        let mut partial = 0;
        for y in 0..20 {
            for x in 0..20 {
                let value = canvas.pixel(x, y)[0];
                if value > 0 && value < 255 {
                    partial += 1;
                }
                if value > 0 {
                    assert!((1..=18).contains(&x) && (1..=11).contains(&y), "({x}, {y})");
                }
            }
        }
        assert!(partial > 10);
    }

    #[test]
    fn a_layer_off_the_chart_is_none() {
        let size = ChartSize {
            width: 20,
            height: 20,
        };
        let area = BoundingBox {
            left: 20,
            top: 0,
            right: 30,
            bottom: 5,
        };
        assert!(SmoothLayer::covering(size, area).is_none());
    }
}
