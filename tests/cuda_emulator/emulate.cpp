// Runs the CUDA kernels of src/gpu/kernels.cu on the CPU, for machines without a GPU.
//
// The kernel source is included as plain C++ under a small model of CUDA's execution: a grid
// of blocks of threads, `blockIdx`/`threadIdx` per thread, `__shared__` memory per block,
// `__syncthreads()` as a barrier, and atomics. Blocks run one after another; the threads of a
// block run one after another too, except in the one-block scans, whose `__syncthreads()`
// needs them to run at once (one std::thread each). The host steps copy the launch sequence
// of src/gpu/bars.rs (same chunk widths and block sizes), so this checks the kernels' logic
// and the launch plan, not the CUDA driver, NVRTC's code generation or device arithmetic.
//
// Usage: emulate MODE COUNT PARAMETER INPUT OUTPUT
//   MODE tick (PARAMETER = tick size), volume (volume size) or resample (window width in
//   timestamp units, origin 0) or resample4 (the same without a volume column);
//   INPUT holds COUNT int64 timestamps then the float64 columns (price, volume for ticks;
//   open, high, low, close[, volume] for resampling); OUTPUT receives the bar count (u64),
//   then the timestamps and the open, high, low, close and volume columns.

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

struct Dim3 {
    unsigned x = 1, y = 1, z = 1;
};

thread_local Dim3 threadIdx, blockIdx;
Dim3 blockDim, gridDim;
std::barrier<> *block_barrier = nullptr;

#define __global__
#define __device__
#define __shared__ static

inline void __syncthreads() { block_barrier->arrive_and_wait(); }

inline unsigned long long atomicMin(unsigned long long *address, unsigned long long value) {
    std::atomic_ref<unsigned long long> target(*address);
    unsigned long long seen = target.load();
    while (value < seen && !target.compare_exchange_weak(seen, value)) {
    }
    return seen;
}

inline int atomicOr(int *address, int value) {
    return std::atomic_ref<int>(*address).fetch_or(value);
}

using std::min;
using std::trunc;

#include "../../src/gpu/kernels.cu"

// Rows per chunk thread and threads per block, as in src/gpu/bars.rs and device.rs.
constexpr u64 CHUNK_ROWS = 32;
constexpr unsigned BLOCK_THREADS = 256;
constexpr u64 MAX_STRIDE_BLOCKS = 4096;

// Runs `kernel` on `blocks` blocks of `threads` threads; `together` runs a block's threads
// at once (for kernels that call __syncthreads).
void launch(u64 blocks, unsigned threads, bool together, const std::function<void()> &kernel) {
    blocks = std::max<u64>(blocks, 1);
    gridDim = {(unsigned)blocks, 1, 1};
    blockDim = {threads, 1, 1};
    for (u64 block = 0; block < blocks; ++block) {
        if (!together) {
            for (unsigned thread = 0; thread < threads; ++thread) {
                blockIdx = {(unsigned)block, 0, 0};
                threadIdx = {thread, 0, 0};
                kernel();
            }
            continue;
        }
        std::barrier<> barrier(threads);
        block_barrier = &barrier;
        std::vector<std::thread> pool;
        for (unsigned thread = 0; thread < threads; ++thread) {
            pool.emplace_back([&, thread, block] {
                blockIdx = {(unsigned)block, 0, 0};
                threadIdx = {thread, 0, 0};
                kernel();
            });
        }
        for (auto &worker : pool) {
            worker.join();
        }
        block_barrier = nullptr;
    }
}

u64 stride_blocks(u64 count) {
    return std::clamp<u64>((count + BLOCK_THREADS - 1) / BLOCK_THREADS, 1, MAX_STRIDE_BLOCKS);
}

u64 blocks_for(u64 threads_needed) { return (threads_needed + BLOCK_THREADS - 1) / BLOCK_THREADS; }

// The first row of each bar from the start flags (src/gpu/bars.rs: first_rows_of).
std::vector<u64> first_rows_of(const std::vector<unsigned char> &starts, u64 count) {
    u64 chunks = (count + CHUNK_ROWS - 1) / CHUNK_ROWS;
    std::vector<u64> counts(chunks);
    u64 total = 0;
    int unused = 0;
    launch(blocks_for(chunks), BLOCK_THREADS, false, [&] {
        count_bar_starts(starts.data(), count, CHUNK_ROWS, chunks, counts.data());
    });
    launch(1, SCAN_THREADS, true, [&] { scan_bar_counts(counts.data(), chunks, &total, &unused); });
    std::vector<u64> first_rows(std::max<u64>(total, 1));
    launch(blocks_for(chunks), BLOCK_THREADS, false, [&] {
        write_bar_starts(starts.data(), count, CHUNK_ROWS, chunks, counts.data(), first_rows.data());
    });
    first_rows.resize(total);
    return first_rows;
}

std::vector<unsigned char> volume_starts(const double *volumes, u64 count, double volume_size,
                                         bool *took_slow_path) {
    u64 chunks = (count + CHUNK_ROWS - 1) / CHUNK_ROWS;
    std::vector<double> totals(chunks);
    std::vector<unsigned char> starts(count);
    double grand_total = 0;
    int inexact = 0;
    launch(blocks_for(chunks), BLOCK_THREADS, false, [&] {
        volume_chunk_totals(volumes, count, CHUNK_ROWS, chunks, totals.data(), &inexact);
    });
    launch(1, SCAN_THREADS, true,
           [&] { scan_volume_totals(totals.data(), chunks, &grand_total, &inexact); });
    launch(blocks_for(chunks), BLOCK_THREADS, false, [&] {
        volume_bar_starts(volumes, count, CHUNK_ROWS, chunks, totals.data(), volume_size,
                          starts.data(), &inexact);
    });
    *took_slow_path = inexact != 0;
    if (inexact) {
        launch(1, 1, false,
               [&] { volume_bar_starts_in_order(volumes, count, volume_size, starts.data()); });
    }
    return starts;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: emulate MODE COUNT PARAMETER INPUT OUTPUT\n");
        return 2;
    }
    std::string mode = argv[1];
    u64 count = std::strtoull(argv[2], nullptr, 10);
    double parameter = std::strtod(argv[3], nullptr);
    int columns = mode == "resample" ? 5 : mode == "resample4" ? 4 : 2;

    std::vector<i64> times(count);
    std::vector<std::vector<double>> values(columns, std::vector<double>(count));
    FILE *input = std::fopen(argv[4], "rb");
    if (!input || std::fread(times.data(), 8, count, input) != count) {
        return 3;
    }
    for (auto &column : values) {
        if (std::fread(column.data(), 8, count, input) != count) {
            return 3;
        }
    }
    std::fclose(input);

    // Validation, as the host runs it before any bar kernel.
    for (int field = 0; field < columns; ++field) {
        unsigned long long first = ~0ULL;
        bool is_volume = (columns == 2 && field == 1) || (columns == 5 && field == 4);
        launch(stride_blocks(count), BLOCK_THREADS, false, [&] {
            first_invalid_row(values[field].data(), count, is_volume, &first);
        });
        if (first != ~0ULL) {
            std::printf("invalid %d %llu\n", field, first);
            return 0;
        }
    }

    const double *open, *high, *low, *close, *volume;
    std::vector<u64> first_rows;
    u64 bars = 0, fixed_size = 0;
    i64 window_width = 0;
    bool slow = false;
    if (mode == "tick") {
        open = high = low = close = values[0].data();
        volume = values[1].data();
        fixed_size = (u64)parameter;
        bars = (count + fixed_size - 1) / fixed_size;
    } else if (mode == "volume") {
        open = high = low = close = values[0].data();
        volume = values[1].data();
        first_rows = first_rows_of(volume_starts(volume, count, parameter, &slow), count);
        bars = first_rows.size();
    } else {
        open = values[0].data();
        high = values[1].data();
        low = values[2].data();
        close = values[3].data();
        volume = columns == 5 ? values[4].data() : nullptr;
        window_width = (i64)parameter;
        std::vector<unsigned char> starts(count);
        launch(stride_blocks(count), BLOCK_THREADS, false, [&] {
            window_bar_starts(times.data(), count, window_width, 0, starts.data());
        });
        first_rows = first_rows_of(starts, count);
        bars = first_rows.size();
    }

    std::vector<i64> bar_time(bars);
    std::vector<std::vector<double>> out(5, std::vector<double>(bars));
    launch(blocks_for(bars), BLOCK_THREADS, false, [&] {
        reduce_bars(times.data(), open, high, low, close, volume,
                    first_rows.empty() ? nullptr : first_rows.data(), fixed_size, bars, count,
                    window_width, 0, bar_time.data(), out[0].data(), out[1].data(), out[2].data(),
                    out[3].data(), out[4].data());
    });

    FILE *output = std::fopen(argv[5], "wb");
    std::fwrite(&bars, 8, 1, output);
    std::fwrite(bar_time.data(), 8, bars, output);
    for (auto &column : out) {
        std::fwrite(column.data(), 8, bars, output);
    }
    std::fclose(output);
    std::printf("ok%s\n", slow ? " slow-path" : "");
    return 0;
}
