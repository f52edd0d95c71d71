//! Aliased lines, polygons and ellipses, drawn pixel for pixel as Pillow's `ImageDraw` draws them.
//!
//! The original library drew its charts with Pillow, so pixel parity needs Pillow's rasterising
//! rules. This module reimplements them from how Pillow behaves, checked shape by shape against
//! its output on thousands of random lines, polygons and ellipses:
//!
//! * a one-pixel line is a Bresenham walk that stops one pixel short of its end; a polyline then
//!   adds its last point, so a zero-length line is one pixel;
//! * a wider line is a four-sided polygon whose sides are offset by rounded multiples of the
//!   line's normal (so an even width leans right going down and left going up);
//! * polygons are filled scanline by scanline with single-precision crossings, with Pillow's
//!   rules for vertices and for the corners of thin wedges;
//! * ellipses walk a quarter of the outline in half-pixel steps, choosing the next point that
//!   strays least from the curve; an outline of width `w` is the ring between that ellipse and
//!   one `w - 1` pixels smaller;
//! * `joint="curve"` adds a filled pie slice at every bend of a line wider than 4 pixels.
//!
//! Limitations: pie slices (only used for curve joints) decide their straight edges with a
//! tolerance measured on Pillow's output; Pillow's own clipping differs on about one edge pixel
//! in a hundred, which shows only where a joint is not covered by its two segments (one to three
//! pixels in about one line chart in twenty with lines wider than 4 pixels).
//! Polygons with corners of arbitrary shapes (not drawn by any chart) match Pillow on about
//! 99 % of random cases; the shapes the charts draw (wide segments, areas under a line) match
//! exactly.
//!
//! Everything overwrites pixels without blending, clips to the canvas, and reuses the buffers of
//! one [`PillowPen`] instead of allocating per shape.

use crate::raster::canvas::Rows;
use crate::style::Rgba;

/// A pixel position; may lie outside the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    /// Column.
    pub x: i32,
    /// Row.
    pub y: i32,
}

impl Point {
    /// The point (`x`, `y`).
    pub const fn new(x: i32, y: i32) -> Self {
        Point { x, y }
    }
}

/// The inclusive bounding box of an ellipse, as Pillow takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundingBox {
    /// Left column.
    pub left: i32,
    /// Top row.
    pub top: i32,
    /// Right column (included).
    pub right: i32,
    /// Bottom row (included).
    pub bottom: i32,
}

/// Draws Pillow's shapes, keeping the scratch buffers of its polygon filler between shapes.
#[derive(Debug, Default)]
pub struct PillowPen {
    edges: Vec<Edge>,
    /// Edge indices by first row, and the edges crossing the current row in index order.
    by_first_row: Vec<usize>,
    active: Vec<usize>,
    crossings: Vec<f32>,
}

impl PillowPen {
    /// A pen with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pillow's `line(points, width=width)` without joints: one-pixel segments plus the last
    /// point when `width <= 1`, otherwise one filled polygon per segment.
    pub fn polyline(&mut self, canvas: &mut Rows<'_>, points: &[Point], width: i32, color: Rgba) {
        // Segments that cannot reach `canvas`'s rows are skipped, so that drawing a line band by
        // band costs little more than drawing it once.
        let reaches = |canvas: &Rows<'_>, a: &Point, b: &Point| {
            canvas.touches(a.y.min(b.y) - width, a.y.max(b.y) + width)
        };
        if width <= 1 {
            for pair in points.windows(2) {
                if reaches(canvas, &pair[0], &pair[1]) {
                    thin_segment(canvas, pair[0], pair[1], color);
                }
            }
            if let [.., last] = points {
                if points.len() >= 2 {
                    canvas.fill_rect(last.x, last.y, last.x, last.y, color);
                }
            }
        } else {
            let mut index = 0;
            while index + 1 < points.len() {
                // Dense charts put many points in one column: the vertical segments between
                // them are painted together, which gives the same pixels (they are all of one
                // colour) with a few fills instead of one per segment.
                let column = points[index].x;
                let run = points[index..]
                    .iter()
                    .take_while(|point| point.x == column)
                    .count();
                if run > 2 {
                    let run_points = &points[index..index + run];
                    let (top, bottom) = column_extent(run_points);
                    if reaches(
                        canvas,
                        &Point::new(column, top),
                        &Point::new(column, bottom),
                    ) {
                        vertical_run(canvas, run_points, width, color);
                    }
                    index += run - 1;
                } else {
                    let (from, to) = (points[index], points[index + 1]);
                    if reaches(canvas, &from, &to) {
                        self.wide_segment(canvas, from, to, width, color);
                    }
                    index += 1;
                }
            }
        }
    }

    /// Pillow's `line(points, width=width, joint="curve")`: the polyline, then for lines wider
    /// than 4 pixels a pie slice at every bend, and for lines wider than 8 a short 3-pixel line
    /// across each bend that closes the gap between the slice and the segments.
    pub fn curved_polyline(
        &mut self,
        canvas: &mut Rows<'_>,
        points: &[Point],
        width: i32,
        color: Rgba,
    ) {
        self.polyline(canvas, points, width, color);
        if width <= 4 {
            return;
        }
        for triple in points.windows(3) {
            self.curve_joint(canvas, triple[0], triple[1], triple[2], width, color);
        }
    }

    /// A segment of `width` pixels from `from` to `to`, as a filled four-sided polygon.
    pub fn wide_segment(
        &mut self,
        canvas: &mut Rows<'_>,
        from: Point,
        to: Point,
        width: i32,
        color: Rgba,
    ) {
        let (dx, dy) = (to.x - from.x, to.y - from.y);
        if dx == 0 && dy == 0 {
            canvas.fill_rect(from.x, from.y, from.x, from.y, color);
            return;
        }
        if dx == 0 || dy == 0 {
            // A vertical or horizontal segment is an axis-aligned rectangle, and Pillow's
            // polygon filler paints such a rectangle whole, border included. Dense line charts
            // are mostly vertical segments (many points share a pixel column), so this skips
            // the scanline filler for nearly all of them.
            let [left, top, right, bottom] = straight_segment_bounds(from, to, width);
            canvas.fill_rect(left, top, right, bottom, color);
            return;
        }
        let corners = wide_segment_corners(from, to, width);
        self.fill_polygon_edges(canvas, &corners, color);
    }

    /// Fills the closed polygon through `corners` with the scanline filler.
    fn fill_polygon_edges(&mut self, canvas: &mut Rows<'_>, corners: &[Point], color: Rgba) {
        self.edges.clear();
        for index in 0..corners.len() {
            self.edges.push(Edge::new(
                corners[index],
                corners[(index + 1) % corners.len()],
            ));
        }
        self.fill_edges(canvas, color);
    }

    /// Pillow's `polygon(vertices, fill=color)`: the polygon closed back to its first vertex.
    pub fn fill_polygon(&mut self, canvas: &mut Rows<'_>, vertices: &[Point], color: Rgba) {
        let (Some(&first), Some(&last)) = (vertices.first(), vertices.last()) else {
            return;
        };
        self.edges.clear();
        for pair in vertices.windows(2) {
            self.edges.push(Edge::new(pair[0], pair[1]));
        }
        if last != first {
            self.edges.push(Edge::new(last, first));
        }
        if self.edges.is_empty() {
            canvas.fill_rect(first.x, first.y, first.x, first.y, color);
            return;
        }
        self.fill_edges(canvas, color);
    }

    /// Pillow's `ellipse(bbox, outline=color, width=width)`: the ring between the ellipse
    /// inscribed in `bbox` and one `width - 1` pixels smaller on every side. A width of at
    /// least half the box fills the ellipse.
    pub fn ellipse_outline(
        &mut self,
        canvas: &mut Rows<'_>,
        bbox: BoundingBox,
        width: i32,
        color: Rgba,
    ) {
        for_each_ellipse_span(bbox, width, |y, x0, x1| {
            canvas.fill_rect(x0, y, x1, y, color)
        });
    }

    /// Pillow's `pieslice(bbox, start, end, fill=color)`: the filled ellipse in `bbox` between
    /// the angles `start` and `end` (degrees, clockwise from three o'clock).
    pub fn fill_pieslice(
        &mut self,
        canvas: &mut Rows<'_>,
        bbox: BoundingBox,
        start: f64,
        end: f64,
        color: Rgba,
    ) {
        let slice = Slice::new(bbox, start, end);
        let fill_width = (bbox.right - bbox.left) + (bbox.bottom - bbox.top) + 1;
        for_each_ellipse_span(bbox, fill_width, |y, x0, x1| {
            for x in x0..=x1 {
                if slice.contains(x, y) {
                    canvas.fill_rect(x, y, x, y, color);
                }
            }
        });
    }

    /// The pie slice (and gap line) Pillow adds at the bend `point` between `previous` and
    /// `next` of a curved line `width` pixels wide.
    fn curve_joint(
        &mut self,
        canvas: &mut Rows<'_>,
        previous: Point,
        point: Point,
        next: Point,
        width: i32,
        color: Rgba,
    ) {
        let incoming = heading(previous, point);
        let outgoing = heading(point, next);
        if incoming == outgoing {
            return;
        }
        let turns_left = (outgoing > incoming && outgoing - 180.0 > incoming)
            || (outgoing < incoming && outgoing + 180.0 > incoming);
        let (start, end) = if turns_left {
            (outgoing + 90.0, incoming + 90.0)
        } else {
            (incoming - 90.0, outgoing - 90.0)
        };
        // Pillow builds the box from floats and truncates each coordinate.
        let half = f64::from(width) / 2.0 - 1.0;
        let (px, py) = (f64::from(point.x), f64::from(point.y));
        let bbox = BoundingBox {
            left: (px - half) as i32,
            top: (py - half) as i32,
            right: (px + half) as i32,
            bottom: (py + half) as i32,
        };
        self.fill_pieslice(canvas, bbox, start - 90.0, end - 90.0, color);

        if width > 8 {
            let side = if turns_left { 90.0 } else { -90.0 };
            let gap = [
                offset_along(point, incoming + side, half),
                point,
                offset_along(point, outgoing + side, half),
            ];
            self.polyline(canvas, &gap, 3, color);
        }
    }

    /// Fills the polygon whose edges are in `self.edges`, scanline by scanline.
    fn fill_edges(&mut self, canvas: &mut Rows<'_>, color: Rgba) {
        let Some(first) = self.edges.first() else {
            return;
        };
        // The scan range starts from the first edge even when it is horizontal; the last row
        // matters because vertices on it are treated differently.
        let (mut top, mut bottom) = (first.ymin, first.ymax);
        for edge in &self.edges {
            if edge.is_horizontal() {
                canvas.fill_rect(edge.xmin, edge.ymin, edge.xmax, edge.ymin, color);
            } else {
                top = top.min(edge.ymin);
                bottom = bottom.max(edge.ymax);
            }
        }
        self.edges.retain(|edge| !edge.is_horizontal());
        let top = top.max(0);
        let last_row = bottom.min(canvas.image_height());

        // Only the edges crossing a row are visited, in their original order: Pillow's vertex
        // rules depend on that order.
        let edges = &self.edges;
        self.by_first_row.clear();
        self.by_first_row.extend(0..edges.len());
        self.by_first_row.sort_by_key(|&index| edges[index].ymin);
        self.active.clear();
        let mut admitted = 0;

        // Rows are independent of each other, so the scan can start and stop at the rows that
        // `canvas` holds: the active edges on its first row are found by the same rules.
        for y in top.max(canvas.first_row())..=last_row.min(canvas.end_row() - 1) {
            let before = self.active.len();
            while let Some(&index) = self.by_first_row.get(admitted) {
                if edges[index].ymin > y {
                    break;
                }
                self.active.push(index);
                admitted += 1;
            }
            if self.active.len() != before {
                self.active.sort_unstable();
            }
            self.active.retain(|&index| edges[index].ymax >= y);

            self.crossings.clear();
            for &index in &self.active {
                let edge = &edges[index];
                let x = edge.x_at(y);
                self.crossings.push(x);
                if y == edge.ymax && y < last_row {
                    // A vertex where an edge ends counts twice, so the spans stay paired.
                    self.crossings.push(x);
                } else if edge.dx != 0.0 && self.crossings.len() % 2 == 1 && x.round() == x {
                    if let Some(moved) = corner_crossing(edges, &self.active, index, y, x, last_row)
                    {
                        if let Some(slot) = self.crossings.last_mut() {
                            *slot = moved;
                        }
                    }
                }
            }
            self.crossings.sort_by(f32::total_cmp);
            for pair in self.crossings.chunks_exact(2) {
                canvas.fill_rect(
                    round_half_up_f32(pair[0]),
                    y,
                    round_half_down_f32(pair[1]),
                    y,
                    color,
                );
            }
        }
    }
}

/// The four corners of Pillow's polygon for a segment `width` pixels wide from `from` to `to`
/// (two distinct points).
fn wide_segment_corners(from: Point, to: Point, width: i32) -> [Point; 4] {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let length = f64::from(dx).hypot(f64::from(dy));
    let half = f64::from(width - 1) / 2.0;
    let outer = f64::from(round_half_up(half)) / length;
    let inner = f64::from(round_half_down(half)) / length;
    let (dx, dy) = (f64::from(dx), f64::from(dy));
    let (dx_inner, dx_outer) = (round_half_down(inner * dy), round_half_down(outer * dy));
    let (dy_inner, dy_outer) = (round_half_down(inner * dx), round_half_down(outer * dx));
    [
        Point::new(from.x - dx_inner, from.y + dy_outer),
        Point::new(to.x - dx_inner, to.y + dy_outer),
        Point::new(to.x + dx_outer, to.y - dy_inner),
        Point::new(from.x + dx_outer, from.y - dy_inner),
    ]
}

/// `[left, top, right, bottom]` of the rectangle that [`wide_segment_corners`] gives for a
/// vertical or horizontal segment, computed in whole pixels.
///
/// There the offsets are `round(ratio * d)` with `ratio = round(half) / |d|`, which is the whole
/// number `±round(half)` to within rounding error, so they are taken exactly here, without the
/// square root and divisions (the test below checks both agree).
fn straight_segment_bounds(from: Point, to: Point, width: i32) -> [i32; 4] {
    let half = f64::from(width - 1) / 2.0;
    let (inner, outer) = (round_half_down(half), round_half_up(half));
    if from.x == to.x {
        let sign = (to.y - from.y).signum();
        let (a, b) = (from.x - sign * inner, from.x + sign * outer);
        [a.min(b), from.y.min(to.y), a.max(b), from.y.max(to.y)]
    } else {
        let sign = (to.x - from.x).signum();
        let (a, b) = (from.y + sign * outer, from.y - sign * inner);
        [from.x.min(to.x), a.min(b), from.x.max(to.x), a.max(b)]
    }
}

/// The segments `width` pixels wide joining `points` (at least two, all in one column), as
/// [`PillowPen::wide_segment`] draws them one by one.
///
/// Each segment is the rectangle of [`straight_segment_bounds`]: the columns within `inner` of
/// the points' column, widened by one column to the right when it goes down the image and to
/// the left when it goes up (for even widths, where `outer > inner`). So the middle columns
/// are covered from the highest point to the lowest, and each side column by the segments
/// going its way, merged where they touch.
fn vertical_run(canvas: &mut Rows<'_>, points: &[Point], width: i32, color: Rgba) {
    let x = points[0].x;
    let (top, bottom) = column_extent(points);
    if top == bottom {
        // Only zero-length segments: each is its one pixel.
        canvas.fill_rect(x, top, x, top, color);
        return;
    }
    let half = f64::from(width - 1) / 2.0;
    let (inner, outer) = (round_half_down(half), round_half_up(half));
    canvas.fill_rect(x - inner, top, x + inner, bottom, color);
    if outer == inner {
        return;
    }
    // Rows waiting to be painted in the right (downward) and left (upward) side columns.
    let mut sides: [Option<(i32, i32)>; 2] = [None, None];
    let side_columns = [x + outer, x - outer];
    for pair in points.windows(2) {
        let (from, to) = (pair[0].y, pair[1].y);
        if from == to {
            continue;
        }
        let side = usize::from(to < from);
        let (low, high) = (from.min(to), from.max(to));
        sides[side] = match sides[side] {
            Some((waiting_low, waiting_high))
                if low <= waiting_high + 1 && waiting_low <= high + 1 =>
            {
                Some((waiting_low.min(low), waiting_high.max(high)))
            }
            waiting => {
                if let Some((waiting_low, waiting_high)) = waiting {
                    let column = side_columns[side];
                    canvas.fill_rect(column, waiting_low, column, waiting_high, color);
                }
                Some((low, high))
            }
        };
    }
    for (side, waiting) in sides.into_iter().enumerate() {
        if let Some((low, high)) = waiting {
            let column = side_columns[side];
            canvas.fill_rect(column, low, column, high, color);
        }
    }
}

/// The highest and lowest row among `points`.
fn column_extent(points: &[Point]) -> (i32, i32) {
    points
        .iter()
        .fold((i32::MAX, i32::MIN), |(top, bottom), point| {
            (top.min(point.y), bottom.max(point.y))
        })
}

/// One polygon edge, with Pillow's single-precision slope.
#[derive(Debug, Clone, Copy)]
struct Edge {
    x0: i32,
    y0: i32,
    xmin: i32,
    xmax: i32,
    ymin: i32,
    ymax: i32,
    /// Columns per row.
    dx: f32,
}

impl Edge {
    fn new(from: Point, to: Point) -> Self {
        let dx = if from.y == to.y {
            0.0
        } else {
            (f64::from(to.x - from.x) / f64::from(to.y - from.y)) as f32
        };
        Edge {
            x0: from.x,
            y0: from.y,
            xmin: from.x.min(to.x),
            xmax: from.x.max(to.x),
            ymin: from.y.min(to.y),
            ymax: from.y.max(to.y),
            dx,
        }
    }

    fn is_horizontal(&self) -> bool {
        self.ymin == self.ymax
    }

    /// Where the edge crosses row `y`, in single precision like Pillow.
    fn x_at(&self, y: i32) -> f32 {
        (y - self.y0) as f32 * self.dx + self.x0 as f32
    }
}

/// Where the crossing `x` of edge `index` on row `y` moves to when it is the tip of a thin wedge:
/// two edges leaning the same way and meeting at a whole column, both starting (or, on the last
/// row, both ending) on this row. Without the move the tip would be a lone pixel cut off from the
/// row next to it; with it, the tip's span reaches toward that row's span.
///
/// `active` lists the edges crossing row `y` in their original order; the first partner in
/// that order is used.
fn corner_crossing(
    edges: &[Edge],
    active: &[usize],
    index: usize,
    y: i32,
    x: f32,
    last_row: i32,
) -> Option<f32> {
    let edge = &edges[index];
    let other = active
        .iter()
        .map(|&other_index| (other_index, &edges[other_index]))
        .find_map(|(other_index, other)| {
            let is_partner = other_index != index
                && (other.dx > 0.0) == (edge.dx > 0.0)
                && other.dx != 0.0
                && ((y == edge.ymin && y == other.ymin) || (y == edge.ymax && y == other.ymax))
                && other.x_at(y) == x;
            is_partner.then_some(other)
        })?;

    let neighbour = if y == last_row { y - 1 } else { y + 1 };
    let (near, far) = (edge.x_at(neighbour), other.x_at(neighbour));
    let is_tip_on_top = y != edge.ymax;
    let leans_right = edge.dx > 0.0;
    let moved = match (is_tip_on_top, leans_right) {
        (false, true) => near.max(far) + 1.0,
        (false, false) => near.min(far) - 1.0,
        (true, true) => near.min(far) - 1.0,
        (true, false) => near.max(far) + 1.0,
    };
    // Only ever widen the tip's span toward the neighbouring row, never narrow it.
    let reaches_right = leans_right == is_tip_on_top;
    let widens = if reaches_right { moved > x } else { moved < x };
    widens.then_some(moved)
}

/// A one-pixel segment from `from` toward `to`, stopping one pixel short of `to`.
fn thin_segment(canvas: &mut Rows<'_>, from: Point, to: Point, color: Rgba) {
    let (mut x, mut y) = (from.x, from.y);
    let step_x = if to.x >= x { 1 } else { -1 };
    let step_y = if to.y >= y { 1 } else { -1 };
    let (dx, dy) = ((to.x - x).abs(), (to.y - y).abs());

    if dx == 0 && dy == 0 {
        // Nothing: the segment stops one pixel short of its own start.
    } else if dx == 0 || dy == 0 {
        // A straight run of pixels: one rectangle from `from` to one pixel short of `to`.
        let (last_x, last_y) = (
            to.x - step_x * i32::from(dx != 0),
            to.y - step_y * i32::from(dy != 0),
        );
        canvas.fill_rect(
            x.min(last_x),
            y.min(last_y),
            x.max(last_x),
            y.max(last_y),
            color,
        );
    } else if dx > dy {
        let mut error = 2 * dy - dx;
        for _ in 0..dx {
            canvas.fill_rect(x, y, x, y, color);
            if error >= 0 {
                y += step_y;
                error -= 2 * dx;
            }
            error += 2 * dy;
            x += step_x;
        }
    } else {
        let mut error = 2 * dx - dy;
        for _ in 0..dy {
            canvas.fill_rect(x, y, x, y, color);
            if error >= 0 {
                x += step_x;
                error -= 2 * dy;
            }
            error += 2 * dx;
            y += step_y;
        }
    }
}

/// Direction of travel from `from` to `to` in degrees within [0, 360), measured the way
/// Pillow's curve joints measure it (0 is straight up, clockwise).
fn heading(from: Point, to: Point) -> f64 {
    let angle = f64::from(to.x - from.x)
        .atan2(f64::from(from.y - to.y))
        .to_degrees();
    angle.rem_euclid(360.0)
}

/// `point` moved `distance` pixels toward `angle` (a heading), each coordinate's offset
/// truncated toward zero.
fn offset_along(point: Point, angle: f64, distance: f64) -> Point {
    let radians = (angle - 90.0).to_radians();
    Point::new(
        point.x + (distance * radians.cos()).trunc() as i32,
        point.y + (distance * radians.sin()).trunc() as i32,
    )
}

/// Calls `span(row, first_column, last_column)` for every horizontal run of the ellipse ring
/// in `bbox` that is `width` pixels thick. Runs may overlap.
fn for_each_ellipse_span(bbox: BoundingBox, width: i32, mut span: impl FnMut(i32, i32, i32)) {
    let (a, b) = (bbox.right - bbox.left, bbox.bottom - bbox.top);
    if a < 0 || b < 0 || width < 1 {
        return;
    }
    let shrink = 2 * (width - 1);
    let mut inner = QuarterWalk::new(a - shrink, b - shrink).peekable();
    let mut outer = QuarterWalk::new(a, b).peekable();

    // Both walks are in half-pixel units around the centre and rise row by row.
    while let Some((right, row)) = outer.next() {
        while outer.next_if(|&(_, next_row)| next_row == row).is_some() {}
        while inner.next_if(|&(_, inner_row)| inner_row < row).is_some() {}
        let mut inner_left = None;
        while let Some((x, _)) = inner.next_if(|&(_, inner_row)| inner_row == row) {
            inner_left = Some(x);
        }
        let left = inner_left.unwrap_or(-right);
        if left > right {
            continue;
        }
        let column = |half_units: i32| bbox.left + (half_units + a) / 2;
        for y in [row, -row] {
            let pixel_row = bbox.top + (y + b) / 2;
            span(pixel_row, column(left), column(right));
            span(pixel_row, column(-right), column(-left));
            if row == 0 {
                break;
            }
        }
    }
}

/// The points of one quarter of an ellipse `a` by `b` half-pixels across, in half-pixel units
/// around the centre, from (a, b mod 2) to (a mod 2, b): each step moves two units left, up, or
/// both, whichever strays least from the curve, preferring up, then the diagonal, on ties.
struct QuarterWalk {
    x: i64,
    y: i64,
    end_x: i64,
    end_y: i64,
    a_squared: i64,
    b_squared: i64,
    finished: bool,
}

impl QuarterWalk {
    fn new(a: i32, b: i32) -> Self {
        let (a, b) = (i64::from(a), i64::from(b));
        QuarterWalk {
            x: a,
            y: b.rem_euclid(2),
            end_x: a.rem_euclid(2),
            end_y: b,
            a_squared: a * a,
            b_squared: b * b,
            finished: a < 0 || b < 0,
        }
    }

    fn stray(&self, x: i64, y: i64) -> i64 {
        (self.a_squared * y * y + self.b_squared * x * x - self.a_squared * self.b_squared).abs()
    }
}

impl Iterator for QuarterWalk {
    type Item = (i32, i32);

    fn next(&mut self) -> Option<(i32, i32)> {
        if self.finished {
            return None;
        }
        let current = (self.x as i32, self.y as i32);
        if self.x == self.end_x && self.y == self.end_y {
            self.finished = true;
            return Some(current);
        }
        let can_left = self.x - 2 >= self.end_x;
        let can_up = self.y + 2 <= self.end_y;
        // Candidates in tie-breaking order: up, diagonal, left.
        let candidates = [
            (can_up, self.x, self.y + 2),
            (can_up && can_left, self.x - 2, self.y + 2),
            (can_left, self.x - 2, self.y),
        ];
        let mut best: Option<(i64, i64, i64)> = None;
        for (allowed, x, y) in candidates {
            if !allowed {
                continue;
            }
            let stray = self.stray(x, y);
            if best.map_or(true, |(best_stray, _, _)| stray < best_stray) {
                best = Some((stray, x, y));
            }
        }
        match best {
            Some((_, x, y)) => {
                self.x = x;
                self.y = y;
            }
            None => self.finished = true,
        }
        Some(current)
    }
}

/// The angular range of a pie slice, tested per pixel centre in the ellipse's half-pixel frame.
// TODO: reproduce Pillow's rule for the straight edges of a pie slice exactly. Ours is a fixed
// tolerance measured on large slices ([`is_on_side`]); on small slices Pillow sometimes keeps or
// drops one more pixel near the centre, so about one line chart in twenty with lines wider than
// 4 pixels differs from the original by one to three joint pixels (see the strict xfail in
// tests/test_render_charts.py).
struct Slice {
    bbox: BoundingBox,
    /// `None` when the slice is the whole ellipse.
    edges: Option<SliceEdges>,
}

struct SliceEdges {
    /// `start_x * X + start_y * Y >= 0` is the side of the start ray the slice lies on.
    start: (f64, f64),
    end: (f64, f64),
    /// Whether the slice spans less than half a turn (both sides must hold) or more (either).
    narrow: bool,
}

impl Slice {
    fn new(bbox: BoundingBox, start: f64, end: f64) -> Self {
        // Pillow receives the angles as single-precision floats.
        let (start, end) = (f64::from(start as f32), f64::from(end as f32));
        let edges = if end - start >= 360.0 {
            None
        } else {
            let start = start.rem_euclid(360.0);
            let mut end = end.rem_euclid(360.0);
            if end < start {
                end += 360.0;
            }
            let (a, b) = (
                f64::from(bbox.right - bbox.left),
                f64::from(bbox.bottom - bbox.top),
            );
            let (start_radians, end_radians) = (start.to_radians(), end.to_radians());
            Some(SliceEdges {
                start: (-b * start_radians.sin(), a * start_radians.cos()),
                end: (b * end_radians.sin(), -a * end_radians.cos()),
                narrow: end - start < 180.0,
            })
        };
        Slice { bbox, edges }
    }

    fn contains(&self, x: i32, y: i32) -> bool {
        let Some(edges) = &self.edges else {
            return true;
        };
        let (a, b) = (
            self.bbox.right - self.bbox.left,
            self.bbox.bottom - self.bbox.top,
        );
        let half_x = 2 * (x - self.bbox.left) - a;
        let half_y = 2 * (y - self.bbox.top) - b;
        let after_start = is_on_side(edges.start, half_x, half_y);
        let before_end = is_on_side(edges.end, half_x, half_y);
        if edges.narrow {
            after_start && before_end
        } else {
            after_start || before_end
        }
    }
}

/// Whether (`x`, `y`) counts as on the non-negative side of `nx * X + ny * Y = 0`.
///
/// Measured on large Pillow slices: a pixel whose column must stay at or right of the edge is
/// kept down to 1.5 half-pixel units left of it, one that must stay at or left of it up to 0.5
/// units right of it. Small slices follow this on about 70 % of random cases.
fn is_on_side((nx, ny): (f64, f64), x: i32, y: i32) -> bool {
    if nx == 0.0 {
        return ny * f64::from(y) >= 0.0;
    }
    let boundary = -ny * f64::from(y) / nx;
    if nx > 0.0 {
        f64::from(x) >= boundary - 1.5
    } else {
        f64::from(x) <= boundary + 0.5
    }
}

/// `value.floor() as i32` (saturating, NaN to 0) without a call into libm: on the baseline
/// x86-64 target `f64::floor` is a function call, and the line painter rounds four values per
/// segment.
#[inline]
fn floor_to_i32(value: f64) -> i32 {
    let truncated = value as i32;
    if f64::from(truncated) > value {
        truncated.saturating_sub(1)
    } else {
        truncated
    }
}

/// `value.ceil() as i32` (saturating, NaN to 0), like [`floor_to_i32`].
#[inline]
fn ceil_to_i32(value: f64) -> i32 {
    let truncated = value as i32;
    if f64::from(truncated) < value {
        truncated.saturating_add(1)
    } else {
        truncated
    }
}

/// Pillow's `ROUND_UP`: halves round away from zero.
fn round_half_up(value: f64) -> i32 {
    if value >= 0.0 {
        floor_to_i32(value + 0.5)
    } else {
        -floor_to_i32(-value + 0.5)
    }
}

/// Pillow's `ROUND_DOWN`: halves round toward zero.
fn round_half_down(value: f64) -> i32 {
    if value >= 0.0 {
        ceil_to_i32(value - 0.5)
    } else {
        -ceil_to_i32(-value - 0.5)
    }
}

/// [`round_half_up`] in single precision, as Pillow rounds polygon crossings.
fn round_half_up_f32(value: f32) -> i32 {
    if value >= 0.0 {
        floor_to_i32(f64::from(value + 0.5))
    } else {
        -floor_to_i32(f64::from(-value + 0.5))
    }
}

/// [`round_half_down`] in single precision.
fn round_half_down_f32(value: f32) -> i32 {
    if value >= 0.0 {
        ceil_to_i32(f64::from(value - 0.5))
    } else {
        -ceil_to_i32(f64::from(-value - 0.5))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::ChartSize;
    use crate::raster::{Canvas, Channels};
    use crate::test_support::XorShift;

    const INK: Rgba = [255, 255, 255, 255];

    fn canvas(width: u32, height: u32) -> Canvas {
        Canvas::new(ChartSize { width, height }, Channels::Rgba, [0, 0, 0, 255])
    }

    fn painted(canvas: &Canvas) -> Vec<(u32, u32)> {
        let mut points = Vec::new();
        for y in 0..canvas.height() {
            for x in 0..canvas.width() {
                if canvas.pixel(x, y) == INK {
                    points.push((x, y));
                }
            }
        }
        points
    }

    fn rows(canvas: &Canvas) -> Vec<String> {
        (0..canvas.height())
            .map(|y| {
                (0..canvas.width())
                    .map(|x| if canvas.pixel(x, y) == INK { '#' } else { '.' })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn thin_polyline_is_bresenham_plus_the_last_point() {
        let mut canvas = canvas(8, 4);
        PillowPen::new().polyline(
            &mut canvas.rows(),
            &[Point::new(0, 0), Point::new(6, 2)],
            1,
            INK,
        );
        assert_eq!(
            painted(&canvas),
            vec![(0, 0), (1, 0), (2, 1), (3, 1), (4, 1), (5, 2), (6, 2)]
        );
    }

    #[test]
    fn zero_length_line_is_one_pixel_at_any_width() {
        for width in [1, 2, 5] {
            let mut canvas = canvas(8, 8);
            let points = [Point::new(3, 3), Point::new(3, 3)];
            PillowPen::new().polyline(&mut canvas.rows(), &points, width, INK);
            assert_eq!(painted(&canvas), vec![(3, 3)], "width {width}");
        }
    }

    #[test]
    fn even_width_leans_right_going_down_and_left_going_up() {
        let mut down = canvas(8, 8);
        PillowPen::new().polyline(
            &mut down.rows(),
            &[Point::new(3, 1), Point::new(3, 5)],
            2,
            INK,
        );
        assert!(painted(&down).iter().all(|&(x, _)| x == 3 || x == 4));
        let mut up = canvas(8, 8);
        PillowPen::new().polyline(
            &mut up.rows(),
            &[Point::new(3, 5), Point::new(3, 1)],
            2,
            INK,
        );
        assert!(painted(&up).iter().all(|&(x, _)| x == 2 || x == 3));
        assert_eq!(painted(&down).len(), 10);
        assert_eq!(painted(&up).len(), 10);
    }

    #[test]
    fn runs_of_vertical_segments_paint_what_their_segments_paint() {
        let mut random = XorShift::new(2463534242);
        let mut next = move |limit: i32| random.below(limit);
        for case in 0..3000 {
            let width = 1 + case % 9;
            // Columns of several points each (some repeated, some off the canvas), joined by
            // diagonal segments.
            let mut points = Vec::new();
            let mut x = next(4) - 2;
            while points.len() < 40 {
                for _ in 0..1 + next(6) {
                    let y = if next(4) == 0 {
                        points.last().map_or(5, |point: &Point| point.y)
                    } else {
                        next(16) - 3
                    };
                    points.push(Point::new(x, y));
                }
                x += next(3);
            }
            let mut merged = canvas(24, 24);
            PillowPen::new().polyline(&mut merged.rows(), &points, width, INK);
            let mut one_by_one = canvas(24, 24);
            let mut pen = PillowPen::new();
            if width <= 1 {
                pen.polyline(&mut one_by_one.rows(), &points, width, INK);
            } else {
                for pair in points.windows(2) {
                    pen.wide_segment(&mut one_by_one.rows(), pair[0], pair[1], width, INK);
                }
            }
            assert_eq!(
                rows(&merged),
                rows(&one_by_one),
                "width {width}, {points:?}"
            );
        }
    }

    #[test]
    fn whole_number_rounding_matches_the_standard_library() {
        let mut values = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            2.5,
            -2.5,
            1e-300,
            -1e-300,
            2147483646.5,
            2147483647.5,
            -2147483648.5,
            1e12,
            -1e12,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let mut random = XorShift::new(88172645463325252);
        for _ in 0..10_000 {
            values.push((random.next_u64() as i64) as f64 / 1e13);
        }
        for value in values {
            assert_eq!(
                floor_to_i32(value),
                value.floor() as i32,
                "floor of {value}"
            );
            assert_eq!(ceil_to_i32(value), value.ceil() as i32, "ceil of {value}");
        }
    }

    #[test]
    fn straight_segments_take_the_rectangle_path_with_the_polygon_pixels() {
        // The rectangle shortcut for vertical and horizontal segments must paint exactly what
        // the scanline filler paints for the same four corners, clipped or not.
        for width in 2..=12 {
            for length in (-9..=9).chain([-1000, -333, -97, 97, 333, 1000]) {
                for (x, y) in [(6, 6), (0, 0), (11, 11), (-2, 5), (5, 13)] {
                    for to in [Point::new(x, y + length), Point::new(x + length, y)] {
                        let from = Point::new(x, y);
                        if from == to {
                            continue;
                        }
                        let mut fast = canvas(12, 12);
                        PillowPen::new().wide_segment(&mut fast.rows(), from, to, width, INK);
                        let mut general = canvas(12, 12);
                        let corners = wide_segment_corners(from, to, width);
                        PillowPen::new().fill_polygon_edges(&mut general.rows(), &corners, INK);
                        assert_eq!(
                            rows(&fast),
                            rows(&general),
                            "width {width} from {from:?} to {to:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn straight_thin_segments_stop_one_pixel_short() {
        for (to, expected) in [
            (Point::new(3, 6), vec![(3, 2), (3, 3), (3, 4), (3, 5)]),
            (Point::new(3, 0), vec![(3, 1), (3, 2)]),
            (Point::new(0, 2), vec![(1, 2), (2, 2), (3, 2)]),
            (Point::new(5, 2), vec![(3, 2), (4, 2)]),
            (Point::new(3, 2), vec![]),
        ] {
            let mut canvas = canvas(8, 8);
            thin_segment(&mut canvas.rows(), Point::new(3, 2), to, INK);
            let mut expected = expected;
            expected.sort_by_key(|&(x, y)| (y, x));
            assert_eq!(painted(&canvas), expected, "to {to:?}");
        }
    }

    #[test]
    fn polygon_fill_includes_its_border() {
        let mut canvas = canvas(6, 6);
        let square = [
            Point::new(1, 1),
            Point::new(4, 1),
            Point::new(4, 3),
            Point::new(1, 3),
        ];
        PillowPen::new().fill_polygon(&mut canvas.rows(), &square, INK);
        assert_eq!(painted(&canvas).len(), 4 * 3);
    }

    #[test]
    fn thin_wedge_tip_reaches_the_next_row() {
        // Two edges leaving the top vertex (5, 5) both to the right: without the corner rule the
        // tip would be a lone pixel with a gap before row 6's span (Pillow draws 5..=6).
        let mut canvas = canvas(24, 12);
        let wedge = [Point::new(5, 5), Point::new(20, 8), Point::new(12, 9)];
        PillowPen::new().fill_polygon(&mut canvas.rows(), &wedge, INK);
        assert_eq!(&rows(&canvas)[5][..9], ".....##..");
        assert_eq!(&rows(&canvas)[6][..11], ".......####");
    }

    #[test]
    fn small_ellipse_outline_matches_pillow() {
        // Pillow 13: ImageDraw.ellipse((1, 1, 8, 6), outline=255, width=2) on a 10x8 image.
        let mut canvas = canvas(10, 8);
        let bbox = BoundingBox {
            left: 1,
            top: 1,
            right: 8,
            bottom: 6,
        };
        PillowPen::new().ellipse_outline(&mut canvas.rows(), bbox, 2, INK);
        assert_eq!(
            rows(&canvas),
            vec![
                "..........",
                "...####...",
                "..######..",
                ".##....##.",
                ".##....##.",
                "..######..",
                "...####...",
                "..........",
            ]
        );
    }

    #[test]
    fn full_turn_pieslice_is_the_filled_ellipse() {
        let bbox = BoundingBox {
            left: 2,
            top: 2,
            right: 12,
            bottom: 9,
        };
        let mut slice = canvas(16, 12);
        PillowPen::new().fill_pieslice(&mut slice.rows(), bbox, 0.0, 360.0, INK);
        let mut ellipse = canvas(16, 12);
        PillowPen::new().ellipse_outline(&mut ellipse.rows(), bbox, 100, INK);
        assert_eq!(painted(&slice), painted(&ellipse));
        let mut quarter = canvas(16, 12);
        PillowPen::new().fill_pieslice(&mut quarter.rows(), bbox, 0.0, 90.0, INK);
        // Clockwise from three o'clock: the lower right quarter.
        assert!(painted(&quarter).iter().all(|&(x, y)| x >= 7 && y >= 5));
        assert!(!painted(&quarter).is_empty());
    }

    #[test]
    fn quarter_walk_prefers_up_then_diagonal_on_ties() {
        let points: Vec<(i32, i32)> = QuarterWalk::new(3, 6).collect();
        assert_eq!(points, vec![(3, 0), (3, 2), (3, 4), (1, 6)]);
    }

    #[test]
    fn pillow_rounding_of_halves() {
        assert_eq!((round_half_up(0.5), round_half_down(0.5)), (1, 0));
        assert_eq!((round_half_up(-0.5), round_half_down(-0.5)), (-1, 0));
        assert_eq!((round_half_up_f32(2.5), round_half_down_f32(2.5)), (3, 2));
    }

    #[test]
    fn shapes_off_the_canvas_are_clipped() {
        let mut canvas = canvas(10, 10);
        let mut pen = PillowPen::new();
        pen.polyline(
            &mut canvas.rows(),
            &[Point::new(-50, -5), Point::new(60, 15)],
            7,
            INK,
        );
        pen.fill_polygon(
            &mut canvas.rows(),
            &[Point::new(-9, -9), Point::new(30, 2), Point::new(2, 30)],
            INK,
        );
        let bbox = BoundingBox {
            left: -20,
            top: -20,
            right: 30,
            bottom: 30,
        };
        pen.ellipse_outline(&mut canvas.rows(), bbox, 2, INK);
        assert!(!painted(&canvas).is_empty());
    }
}
