// CUDA kernels of the GPU aggregations, compiled at run time by NVRTC (see src/gpu/device.rs).
//
// Every bar is reduced by one thread walking its rows in time order, so first/last/max/min
// and the volume sum (added row after row) are the CPU's operations in the CPU's order, and the
// results are bit-for-bit the same. Only finding where bars start is parallel:
//
// * tick bars start every `size` rows;
// * time bars start where a row lies past the window of the row before it;
// * volume bars start where trunc(running volume total / volume_size) changes, which needs
//   the running total. A parallel scan adds the volumes in another order than the CPU's single
//   pass, so every addition of the scan is checked to be exact (Knuth's two-sum): when all of
//   them are, each total equals the exact sum, which is then also what the CPU's row-by-row
//   rounding gives. When any addition rounds, the host reruns the totals with one thread, in
//   the CPU's order.
//
// Then the start flags are compacted into a list of bar start rows (an integer scan, exact),
// and one thread per bar reduces its rows.
//
// Compiled with --fmad=false so that no multiply-add is fused differently from the CPU, and
// with IEEE division (NVRTC's default), which the volume bar numbers need.

typedef long long i64;
typedef unsigned long long u64;

#define SCAN_THREADS 1024
#define LARGEST_DOUBLE 1.7976931348623157e308
#define I64_MIN (-9223372036854775807LL - 1)
#define I64_MAX 9223372036854775807LL

__device__ inline u64 thread_index() { return (u64)blockIdx.x * blockDim.x + threadIdx.x; }

__device__ inline u64 thread_count() { return (u64)gridDim.x * blockDim.x; }

// a + b, raising *inexact when the sum was rounded (or overflowed: the error is then NaN).
__device__ inline double add_checked(double a, double b, int *inexact) {
    double sum = a + b;
    double b_part = sum - a;
    double error = (a - (sum - b_part)) + (b - b_part);
    if (!(error == 0.0)) {
        *inexact = 1;
    }
    return sum;
}

__device__ inline u64 add_checked(u64 a, u64 b, int *) { return a + b; }

// Exclusive prefix sums of values[0..count) in place, by one block of SCAN_THREADS threads;
// the grand total goes to *total. Each thread scans a contiguous slice, the slices' sums are
// scanned in shared memory, and each slice is rewritten from its offset.
template <typename T>
__device__ void exclusive_scan_one_block(T *values, u64 count, T *total, int *inexact) {
    __shared__ T partial[SCAN_THREADS];
    const unsigned me = threadIdx.x;
    const u64 per_thread = (count + SCAN_THREADS - 1) / SCAN_THREADS;
    const u64 start = min((u64)me * per_thread, count);
    const u64 stop = min(start + per_thread, count);
    int local_inexact = 0;

    T sum = 0;
    for (u64 i = start; i < stop; ++i) {
        sum = add_checked(sum, values[i], &local_inexact);
    }
    partial[me] = sum;
    __syncthreads();

    for (unsigned step = 1; step < SCAN_THREADS; step <<= 1) {
        T before = me >= step ? partial[me - step] : (T)0;
        __syncthreads();
        if (me >= step) {
            partial[me] = add_checked(partial[me], before, &local_inexact);
        }
        __syncthreads();
    }

    T running = me == 0 ? (T)0 : partial[me - 1];
    for (u64 i = start; i < stop; ++i) {
        T value = values[i];
        values[i] = running;
        running = add_checked(running, value, &local_inexact);
    }
    if (me == SCAN_THREADS - 1) {
        *total = partial[SCAN_THREADS - 1];
    }
    if (local_inexact) {
        atomicOr(inexact, 1);
    }
}

// `value` modulo `width` (> 0), in [0, width).
__device__ inline i64 modulo(i64 value, i64 width) {
    i64 rest = value % width;
    return rest < 0 ? rest + width : rest;
}

// The window of `time`: its start (clamped like the CPU's, see aggregate/duration.rs) and
// end, cut at the last representable time. The CPU computes in 128 bits; here each step is
// kept within 64 bits instead (NVRTC has 128-bit integers only on Linux, behind a flag).
__device__ inline i64 window_start(i64 time, i64 width, i64 origin) {
    // (time - origin) mod width, without forming time - origin: both operands are reduced
    // first, so their difference lies in (-width, width).
    i64 offset = modulo(time, width) - modulo(origin, width);
    if (offset < 0) {
        offset += width;
    }
    // time - offset would fall below the earliest time exactly when this holds.
    return time < I64_MIN + offset ? I64_MIN + 1 : time - offset;
}

__device__ inline i64 window_end(i64 start, i64 width) {
    return start > I64_MAX - width ? I64_MAX : start + width;
}

extern "C" {

// The lowest row whose value breaks its rule (prices: finite; volumes: finite and not
// negative) goes to *first, which the host sets to u64 max beforehand.
__global__ void first_invalid_row(const double *values, u64 count, int is_volume, u64 *first) {
    for (u64 row = thread_index(); row < count; row += thread_count()) {
        double value = values[row];
        bool valid = is_volume ? (value >= 0.0 && value <= LARGEST_DOUBLE)
                               : (value >= -LARGEST_DOUBLE && value <= LARGEST_DOUBLE);
        if (!valid) {
            atomicMin(first, row);
        }
    }
}

// Sum of each chunk of `chunk` volumes, added in row order.
__global__ void volume_chunk_totals(const double *volumes, u64 count, u64 chunk, u64 chunks,
                                    double *totals, int *inexact) {
    u64 index = thread_index();
    if (index >= chunks) {
        return;
    }
    u64 start = index * chunk;
    u64 stop = min(start + chunk, count);
    int local_inexact = 0;
    double total = 0.0;
    for (u64 row = start; row < stop; ++row) {
        total = add_checked(total, volumes[row], &local_inexact);
    }
    totals[index] = total;
    if (local_inexact) {
        atomicOr(inexact, 1);
    }
}

// One block: chunk totals become the volume total before each chunk.
__global__ void scan_volume_totals(double *totals, u64 chunks, double *grand_total,
                                   int *inexact) {
    exclusive_scan_one_block(totals, chunks, grand_total, inexact);
}

// Marks the rows where the volume bar number trunc(running total / volume_size) changes,
// from each chunk's starting total.
__global__ void volume_bar_starts(const double *volumes, u64 count, u64 chunk, u64 chunks,
                                  const double *totals_before, double volume_size,
                                  unsigned char *starts, int *inexact) {
    u64 index = thread_index();
    if (index >= chunks) {
        return;
    }
    u64 start = index * chunk;
    u64 stop = min(start + chunk, count);
    int local_inexact = 0;
    double total = totals_before[index];
    // -1 matches no bar number, so the very first row always starts a bar.
    double previous = index == 0 ? -1.0 : trunc(total / volume_size);
    for (u64 row = start; row < stop; ++row) {
        total = add_checked(total, volumes[row], &local_inexact);
        double number = trunc(total / volume_size);
        starts[row] = number != previous;
        previous = number;
    }
    if (local_inexact) {
        atomicOr(inexact, 1);
    }
}

// The same marks from one thread adding the volumes in row order, exactly like the CPU: the
// slow path when the parallel totals were rounded.
__global__ void volume_bar_starts_in_order(const double *volumes, u64 count, double volume_size,
                                           unsigned char *starts) {
    if (thread_index() != 0) {
        return;
    }
    double total = 0.0;
    double previous = -1.0;
    for (u64 row = 0; row < count; ++row) {
        total += volumes[row];
        double number = trunc(total / volume_size);
        starts[row] = number != previous;
        previous = number;
    }
}

// Marks the rows that lie at or past the end of the window of the row before them.
__global__ void window_bar_starts(const i64 *times, u64 count, i64 width, i64 origin,
                                  unsigned char *starts) {
    for (u64 row = thread_index(); row < count; row += thread_count()) {
        if (row == 0) {
            starts[row] = 1;
        } else {
            i64 end = window_end(window_start(times[row - 1], width, origin), width);
            starts[row] = times[row] >= end;
        }
    }
}

// Number of marked rows in each chunk.
__global__ void count_bar_starts(const unsigned char *starts, u64 count, u64 chunk, u64 chunks,
                                 u64 *counts) {
    u64 index = thread_index();
    if (index >= chunks) {
        return;
    }
    u64 stop = min(index * chunk + chunk, count);
    u64 marked = 0;
    for (u64 row = index * chunk; row < stop; ++row) {
        marked += starts[row];
    }
    counts[index] = marked;
}

// One block: chunk counts become the number of bars starting before each chunk.
__global__ void scan_bar_counts(u64 *counts, u64 chunks, u64 *bars, int *unused) {
    exclusive_scan_one_block(counts, chunks, bars, unused);
}

// The row of each bar's first tick, in order.
__global__ void write_bar_starts(const unsigned char *starts, u64 count, u64 chunk, u64 chunks,
                                 const u64 *bars_before, u64 *first_rows) {
    u64 index = thread_index();
    if (index >= chunks) {
        return;
    }
    u64 stop = min(index * chunk + chunk, count);
    u64 bar = bars_before[index];
    for (u64 row = index * chunk; row < stop; ++row) {
        if (starts[row]) {
            first_rows[bar++] = row;
        }
    }
}

// TODO: one thread per bar keeps the CPU's order of additions, but leaves a GPU idle when bars
// are few and long (a million ticks per bar); splitting the order-free parts (first, last,
// high, low) across a warp has not been tried or measured.
//
// One thread per bar: bar b covers rows [first_rows[b], first_rows[b + 1]) (the last bar runs
// to `count`), or, without first_rows, [b * fixed_size, (b + 1) * fixed_size). A bar is
// labelled by the time of its first row, or with window_width > 0 by that row's window start.
// Without a volume column (volume == 0) the volume is 0.
__global__ void reduce_bars(const i64 *times, const double *open, const double *high,
                            const double *low, const double *close, const double *volume,
                            const u64 *first_rows, u64 fixed_size, u64 bars, u64 count,
                            i64 window_width, i64 window_origin, i64 *bar_time,
                            double *bar_open, double *bar_high, double *bar_low,
                            double *bar_close, double *bar_volume) {
    u64 bar = thread_index();
    if (bar >= bars) {
        return;
    }
    u64 start = first_rows ? first_rows[bar] : bar * fixed_size;
    u64 stop = bar + 1 == bars ? count : (first_rows ? first_rows[bar + 1] : start + fixed_size);

    double highest = high[start];
    double lowest = low[start];
    double total = volume ? volume[start] : 0.0;
    for (u64 row = start + 1; row < stop; ++row) {
        double value = high[row];
        highest = value > highest ? value : highest;
        value = low[row];
        lowest = value < lowest ? value : lowest;
        if (volume) {
            total += volume[row];
        }
    }

    i64 time = times[start];
    bar_time[bar] = window_width > 0 ? window_start(time, window_width, window_origin) : time;
    bar_open[bar] = open[start];
    bar_high[bar] = highest;
    bar_low[bar] = lowest;
    bar_close[bar] = close[stop - 1];
    bar_volume[bar] = total;
}

}  // extern "C"
