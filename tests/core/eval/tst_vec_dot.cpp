// The fused quantized dot products (core/eval/vec_dot.h) against a double-precision reference:
// dequantized weight row times the activations roundActivations produces. Both kernel builds
// are checked (scalar forced by VecDotIsa::Scalar; AVX2 wherever the CPU has it). Sub-blocks
// get very different magnitudes, so a wrong sub-block scale or min moves the result by far
// more than the tolerance.
#include "core/eval/activation_rounding.h"
#include "core/eval/cpu_matmul.h"
#include "core/eval/vec_dot.h"
#include "core/eval/vec_dot_kernels.h"
#include "core/jobs/thread_pool.h"
#include "core/quant/block_types.h"
#include "core/quant/format_registry.h"
#include "core/quant/quant_kernels.h"

#include <QTest>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <random>
#include <vector>

using namespace qs::core;

Q_DECLARE_METATYPE(qs::core::GgmlType)

namespace {

// Values whose scale changes every 16 (a k-quant sub-block) and which sit off zero, so that
// per-sub-block scales and mins all matter.
std::vector<float> randomValues(std::int64_t n, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> magnitude(0.05f, 3.0f);
    std::uniform_real_distribution<float> offset(-1.0f, 1.0f);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (std::int64_t g = 0; g < n; g += 16) {
        const float scale = magnitude(rng);
        const float shift = offset(rng);
        for (std::int64_t i = g; i < std::min(n, g + 16); ++i) {
            v[static_cast<std::size_t>(i)] = scale * (normal(rng) + shift);
        }
    }
    return v;
}

std::size_t rowBytes(GgmlType type, std::int64_t cols) {
    return static_cast<std::size_t>(*ggmlRowBytes(type, static_cast<std::uint64_t>(cols)));
}

QByteArray typeName(GgmlType type) {
    return QByteArray(ggmlTypeInfo(type).name.data(),
                      static_cast<qsizetype>(ggmlTypeInfo(type).name.size()));
}

struct Reference {
    double dot = 0.0;
    double magnitude = 0.0; // sum of |w_i * a_i|: the scale of the rounding error
};

Reference reference(GgmlType type, const void* row, const std::vector<float>& x) {
    const auto n = static_cast<std::int64_t>(x.size());
    std::vector<float> w(x.size());
    if (!dequantizeRow(type, row, w.data(), n).ok()) {
        qFatal("dequantizeRow failed");
    }
    std::vector<float> a = x;
    roundActivations(activationTypeFor(type), a.data(), n);
    Reference r;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double p = static_cast<double>(w[i]) * a[i];
        r.dot += p;
        r.magnitude += std::fabs(p);
    }
    return r;
}

std::vector<std::byte> quantizeWeights(GgmlType type, const std::vector<float>& w,
                                       std::int64_t rows, std::int64_t cols) {
    std::vector<std::byte> bytes(static_cast<std::size_t>(rows) * rowBytes(type, cols));
    // The very-low-bit types refuse to quantize without importance weights.
    std::vector<float> importance;
    if (quantFormat(type)->requiresImatrix) {
        for (std::int64_t c = 0; c < cols; ++c) {
            importance.push_back(0.25f + static_cast<float>(c % 5));
        }
    }
    if (!quantizeRows(type, w.data(), bytes.data(), rows, cols,
                      importance.empty() ? nullptr : importance.data())
             .ok()) {
        qFatal("quantizeRows failed");
    }
    return bytes;
}

// Overwrites n values' worth of blocks of `type` (Q2_K, Q3_K, Q5_K or Q4_0) with random bytes,
// and their d (and dmin) with halves from the ends of the range: largest finite, smallest
// subnormal, negative, zero, and ordinary ones.
void randomBlocksWithExtremeScales(GgmlType type, std::byte* out, std::int64_t n,
                                   std::mt19937& rng) {
    const std::uint16_t halves[] = {0x7BFF, 0x0001, 0x03FF, 0xBC00, 0x0000, 0x3C00, 0x2E66, 0xF800};
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> pick(0, static_cast<int>(std::size(halves)) - 1);
    const std::int64_t blockValues = ggmlTypeInfo(type).blockSize;
    const std::int64_t blocks = n / blockValues;
    const std::size_t blockBytes = rowBytes(type, blockValues);
    for (std::size_t i = 0; i < blockBytes * static_cast<std::size_t>(blocks); ++i) {
        out[i] = static_cast<std::byte>(byte(rng));
    }
    for (std::int64_t b = 0; b < blocks; ++b) {
        std::byte* block = out + blockBytes * static_cast<std::size_t>(b);
        const std::uint16_t d = halves[pick(rng)];
        const std::uint16_t dmin = halves[pick(rng)];
        if (type == GgmlType::Q5_K) {
            std::memcpy(block + offsetof(quant::BlockQ5K, d), &d, sizeof(d));
            std::memcpy(block + offsetof(quant::BlockQ5K, dmin), &dmin, sizeof(dmin));
        } else if (type == GgmlType::Q3_K) {
            std::memcpy(block + offsetof(quant::BlockQ3K, d), &d, sizeof(d));
        } else if (type == GgmlType::Q2_K) {
            std::memcpy(block + offsetof(quant::BlockQ2K, d), &d, sizeof(d));
            std::memcpy(block + offsetof(quant::BlockQ2K, dmin), &dmin, sizeof(dmin));
        } else if (type == GgmlType::Q4_0) {
            std::memcpy(block + offsetof(quant::BlockQ4_0, d), &d, sizeof(d));
        } else {
            qFatal("randomBlocksWithExtremeScales: no such block layout here");
        }
    }
}

bool cpuHasAvx2() {
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("f16c");
#else
    return false;
#endif
}

// AVX-512 F/BW/VL/DQ and VNNI, which the AVX-512 tiles need (vec_dot.cpp checks the same).
bool cpuHasAvx512() {
#if defined(__x86_64__) || defined(__i386__)
    return cpuHasAvx2() && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni");
#else
    return false;
#endif
}

} // namespace

class TestVecDot : public QObject {
    Q_OBJECT

private slots:
    void matchesDequantizedReference_data() {
        QTest::addColumn<GgmlType>("type");
        QTest::addColumn<qint64>("cols");
        const GgmlType kQuants[] = {GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K,
                                    GgmlType::Q6_K};
        for (GgmlType t : kQuants) {
            for (qint64 cols : {256, 768, 2048}) {
                QTest::addRow("%s x %lld", typeName(t).constData(), cols) << t << cols;
            }
        }
        for (GgmlType t : {GgmlType::Q8_0, GgmlType::Q4_0}) {
            for (qint64 cols : {32, 96, 2048}) {
                QTest::addRow("%s x %lld", typeName(t).constData(), cols) << t << cols;
            }
        }
        for (qint64 cols : {8, 100, 2048}) {
            QTest::addRow("F16 x %lld", cols) << GgmlType::F16 << cols;
        }
    }

    void matchesDequantizedReference() {
        QFETCH(GgmlType, type);
        QFETCH(qint64, cols);
        std::mt19937 rng(static_cast<unsigned>(cols) * 31u + static_cast<unsigned>(type));
        const std::vector<VecDotIsa> isas = {VecDotIsa::Scalar, VecDotIsa::Best};
        QVERIFY(vecDotFor(type, VecDotIsa::Scalar) != nullptr);
        if (cpuHasAvx2()) {
            // Otherwise Best would silently test the scalar build twice.
            QVERIFY(vecDotFor(type, VecDotIsa::Best) != vecDotFor(type, VecDotIsa::Scalar));
        }
        for (int trial = 0; trial < 20; ++trial) {
            const std::vector<float> w = randomValues(cols, rng);
            const std::vector<float> x = randomValues(cols, rng);
            const std::vector<std::byte> row = quantizeWeights(type, w, 1, cols);
            std::vector<std::byte> act(vecDotActivationBytes(type, cols));
            quantizeVecDotActivations(type, x.data(), act.data(), cols);
            const Reference ref = reference(type, row.data(), x);
            for (VecDotIsa isa : isas) {
                const float got = vecDotFor(type, isa)(row.data(), act.data(), cols);
                const double tolerance = 1e-6 * ref.magnitude;
                if (std::fabs(got - ref.dot) > tolerance) {
                    QFAIL(qPrintable(QStringLiteral("trial %1, %2: got %3, want %4 (tolerance %5)")
                                         .arg(trial)
                                         .arg(isa == VecDotIsa::Scalar ? "scalar" : "best")
                                         .arg(static_cast<double>(got), 0, 'g', 9)
                                         .arg(ref.dot, 0, 'g', 9)
                                         .arg(tolerance, 0, 'g', 3)));
                }
            }
        }
    }

    // The i-quants: the same check, and both builds give the same bits (exact integer sums,
    // then the same float products).
    void iquantsMatchDequantizedReference_data() {
        QTest::addColumn<GgmlType>("type");
        QTest::addColumn<qint64>("cols");
        for (GgmlType t : {GgmlType::IQ1_S, GgmlType::IQ1_M, GgmlType::IQ2_XXS, GgmlType::IQ2_XS,
                           GgmlType::IQ2_S, GgmlType::IQ3_XXS, GgmlType::IQ3_S}) {
            for (qint64 cols : {256, 768, 2048}) {
                QTest::addRow("%s x %lld", typeName(t).constData(), cols) << t << cols;
            }
        }
    }

    void iquantsMatchDequantizedReference() {
        QFETCH(GgmlType, type);
        QFETCH(qint64, cols);
        std::mt19937 rng(static_cast<unsigned>(cols) * 29u + static_cast<unsigned>(type));
        const VecDotFn dot = vecDotFor(type, VecDotIsa::Scalar);
        const VecDotFn best = vecDotFor(type, VecDotIsa::Best);
        QVERIFY(dot != nullptr);
        QCOMPARE(best != dot, cpuHasAvx2());
        for (int trial = 0; trial < 20; ++trial) {
            const std::vector<float> w = randomValues(cols, rng);
            const std::vector<float> x = randomValues(cols, rng);
            const std::vector<std::byte> row = quantizeWeights(type, w, 1, cols);
            std::vector<std::byte> act(vecDotActivationBytes(type, cols));
            quantizeVecDotActivations(type, x.data(), act.data(), cols);
            const Reference ref = reference(type, row.data(), x);
            const float got = dot(row.data(), act.data(), cols);
            QCOMPARE(best(row.data(), act.data(), cols), got);
            const double tolerance = 1e-6 * ref.magnitude;
            QVERIFY2(std::fabs(got - ref.dot) <= tolerance,
                     qPrintable(QStringLiteral("trial %1: got %2, want %3 (tolerance %4)")
                                    .arg(trial)
                                    .arg(static_cast<double>(got), 0, 'g', 9)
                                    .arg(ref.dot, 0, 'g', 9)
                                    .arg(tolerance, 0, 'g', 3)));
        }
    }

    // The 8-row kernels on repacked groups: the scalar build gives exactly the scalar row
    // kernel's results, the AVX2 build the reference within the row kernels' tolerance.
    void rowGroupsMatchRowKernel_data() {
        QTest::addColumn<GgmlType>("type");
        QTest::addColumn<qint64>("cols");
        for (GgmlType t : {GgmlType::Q4_K, GgmlType::Q6_K}) {
            for (qint64 cols : {256, 768, 2048}) {
                QTest::addRow("%s x %lld", typeName(t).constData(), cols) << t << cols;
            }
        }
        for (qint64 cols : {32, 96, 2048}) {
            QTest::addRow("Q8_0 x %lld", cols) << GgmlType::Q8_0 << cols;
        }
        for (qint64 cols : {8, 96, 2048}) {
            QTest::addRow("F16 x %lld", cols) << GgmlType::F16 << cols;
        }
    }

    void rowGroupsMatchRowKernel() {
        QFETCH(GgmlType, type);
        QFETCH(qint64, cols);
        const VecDot8Fn scalar8 = vecDot8For(type, VecDotIsa::Scalar);
        QVERIFY(scalar8 != nullptr);
        const VecDot8Fn best8 = vecDot8For(type, VecDotIsa::Best);
        QCOMPARE(best8 != nullptr, cpuHasAvx2()); // no vector build, no repacking
        const std::int64_t rows = 16;             // two groups
        std::mt19937 rng(static_cast<unsigned>(cols) * 17u + static_cast<unsigned>(type));
        const std::size_t groupBytes = vecDot8GroupBytes(type, cols);
        QVERIFY(groupBytes > 0);
        for (int trial = 0; trial < 5; ++trial) {
            const std::vector<float> w = randomValues(rows * cols, rng);
            const std::vector<float> x = randomValues(cols, rng);
            const std::vector<std::byte> bytes = quantizeWeights(type, w, rows, cols);
            std::vector<std::byte> act(vecDotActivationBytes(type, cols));
            quantizeVecDotActivations(type, x.data(), act.data(), cols);
            std::vector<std::byte> groups(groupBytes * rows / 8);
            for (std::int64_t g = 0; g < rows / 8; ++g) {
                repackRows8(type, bytes.data() + rowBytes(type, cols) * 8 * g, rowBytes(type, cols),
                            cols, groups.data() + groupBytes * g);
            }
            for (std::int64_t g = 0; g < rows / 8; ++g) {
                float gotScalar[8], gotBest[8];
                scalar8(groups.data() + groupBytes * g, act.data(), cols, gotScalar);
                if (best8) {
                    best8(groups.data() + groupBytes * g, act.data(), cols, gotBest);
                }
                for (int r = 0; r < 8; ++r) {
                    const std::byte* row = bytes.data() + rowBytes(type, cols) * (8 * g + r);
                    QCOMPARE(gotScalar[r],
                             vecDotFor(type, VecDotIsa::Scalar)(row, act.data(), cols));
                    if (!best8) {
                        continue;
                    }
                    const Reference ref = reference(type, row, x);
                    const double tolerance = 1e-6 * ref.magnitude;
                    if (std::fabs(gotBest[r] - ref.dot) > tolerance) {
                        QFAIL(qPrintable(
                            QStringLiteral("trial %1, row %2: got %3, want %4 (tolerance %5)")
                                .arg(trial)
                                .arg(8 * g + r)
                                .arg(static_cast<double>(gotBest[r]), 0, 'g', 9)
                                .arg(ref.dot, 0, 'g', 9)
                                .arg(tolerance, 0, 'g', 3)));
                    }
                }
            }
        }
    }

    // Tiles (several inputs per group) give, for every input and row, the bits of the AVX2
    // 8-row kernel on that input, and so the scalar reference within its tolerance. Input
    // counts around each build's tile size and F16's block of inputs, widths with a partial
    // F16 panel; the last group of the matrix too. Inputs of one repeated value (activation
    // bytes of +-127) push the integer sums to their largest.
    void tilesMatchRowGroupKernel_data() {
        QTest::addColumn<GgmlType>("type");
        QTest::addColumn<int>("isa");
        QTest::addColumn<qint64>("cols");
        for (const VecDotIsa isa : {VecDotIsa::Avx2, VecDotIsa::Avx512}) {
            const char* isaName = isa == VecDotIsa::Avx2 ? "avx2" : "avx512";
            for (GgmlType t : {GgmlType::Q4_K, GgmlType::Q6_K, GgmlType::Q8_0}) {
                for (qint64 cols : {256, 768}) {
                    QTest::addRow("%s %s x %lld", isaName, typeName(t).constData(), cols)
                        << t << static_cast<int>(isa) << cols;
                }
            }
            if (isa == VecDotIsa::Avx2) {
                continue; // no AVX2 tile for F16 (vec_dot_tile_avx2.cpp)
            }
            for (qint64 cols : {8, 264, 520}) {
                QTest::addRow("%s F16 x %lld", isaName, cols)
                    << GgmlType::F16 << static_cast<int>(isa) << cols;
            }
        }
    }

    void tilesMatchRowGroupKernel() {
        QFETCH(GgmlType, type);
        QFETCH(int, isa);
        QFETCH(qint64, cols);
        const auto tileIsa = static_cast<VecDotIsa>(isa);
        if (tileIsa == VecDotIsa::Avx2 && !cpuHasAvx2()) {
            QSKIP("no AVX2, FMA and F16C on this CPU");
        }
        if (tileIsa == VecDotIsa::Avx512 && !cpuHasAvx512()) {
            QSKIP("no AVX-512 F/BW/VL/DQ and VNNI on this CPU");
        }
        const VecDot8TileFn tile = vecDot8TileFor(type, tileIsa);
        QVERIFY(tile != nullptr);
        const VecDot8Fn best8 = vecDot8For(type, VecDotIsa::Best);
        QVERIFY(best8 != nullptr);
        const VecDot8Fn scalar8 = vecDot8For(type, VecDotIsa::Scalar);
        const std::int64_t rows = 24; // three groups
        const std::size_t groupBytes = vecDot8GroupBytes(type, cols);
        const std::size_t stride = vecDotActivationBytes(type, cols);
        std::mt19937 rng(static_cast<unsigned>(cols) * 31u + static_cast<unsigned>(type) +
                         static_cast<unsigned>(isa));
        const std::vector<float> w = randomValues(rows * cols, rng);
        const std::vector<std::byte> bytes = quantizeWeights(type, w, rows, cols);
        std::vector<std::byte> groups(groupBytes * rows / 8);
        for (std::int64_t g = 0; g < rows / 8; ++g) {
            repackRows8(type, bytes.data() + rowBytes(type, cols) * 8 * g, rowBytes(type, cols),
                        cols, groups.data() + groupBytes * g);
        }
        for (const std::int64_t inputs : {1, 3, 7, 8, 9, 13, 25, 31}) {
            std::vector<float> x = randomValues(inputs * cols, rng);
            std::fill(x.begin(), x.begin() + cols, 2.5f); // input 0: one value
            std::vector<std::byte> act(stride * static_cast<std::size_t>(inputs));
            for (std::int64_t t = 0; t < inputs; ++t) {
                quantizeVecDotActivations(type, x.data() + t * cols, act.data() + stride * t, cols);
            }
            // Results of a whole matrix, as cpuMatmulRepacked lays them out: input t's row r at
            // t * rows + r.
            std::vector<float> got(static_cast<std::size_t>(inputs * rows), NAN);
            for (std::int64_t g = 0; g < rows / 8; ++g) {
                tile(groups.data() + groupBytes * g, act.data(), stride, inputs, cols,
                     got.data() + 8 * g, rows);
            }
            for (std::int64_t t = 0; t < inputs; ++t) {
                const std::vector<float> xt(x.begin() + t * cols, x.begin() + (t + 1) * cols);
                for (std::int64_t g = 0; g < rows / 8; ++g) {
                    float want[8], wantScalar[8];
                    best8(groups.data() + groupBytes * g, act.data() + stride * t, cols, want);
                    scalar8(groups.data() + groupBytes * g, act.data() + stride * t, cols,
                            wantScalar);
                    for (int r = 0; r < 8; ++r) {
                        const float value = got[static_cast<std::size_t>(t * rows + 8 * g + r)];
                        const QString where =
                            QStringLiteral("%1 inputs, input %2, row %3: %4 vs %5")
                                .arg(inputs)
                                .arg(t)
                                .arg(8 * g + r)
                                .arg(static_cast<double>(value), 0, 'g', 9)
                                .arg(static_cast<double>(want[r]), 0, 'g', 9);
                        QVERIFY2(std::memcmp(&value, &want[r], sizeof(float)) == 0,
                                 qPrintable(where));
                        const Reference ref =
                            reference(type, bytes.data() + rowBytes(type, cols) * (8 * g + r), xt);
                        QVERIFY2(std::fabs(value - ref.dot) <= 1e-6 * ref.magnitude,
                                 qPrintable(where));
                        QVERIFY2(std::fabs(value - wantScalar[r]) <= 2e-6 * ref.magnitude,
                                 qPrintable(where));
                    }
                }
            }
        }
    }

    // The dispatch picks only tiles that tilesMatchRowGroupKernel checks: AVX-512 where the
    // CPU has it, else AVX2, else none; and none with the vector kernels turned off.
    void tileDispatchPicksTestedBuild() {
        for (GgmlType t : {GgmlType::Q4_K, GgmlType::Q6_K, GgmlType::Q8_0, GgmlType::F16}) {
            const VecDot8TileFn best = vecDot8TileFor(t);
            if (cpuHasAvx512()) {
                QVERIFY(best != nullptr && best == vecDot8TileFor(t, VecDotIsa::Avx512));
            } else if (cpuHasAvx2()) {
                QVERIFY(best == vecDot8TileFor(t, VecDotIsa::Avx2));
                QCOMPARE(best != nullptr, t != GgmlType::F16);
            } else {
                QVERIFY(best == nullptr);
            }
            QVERIFY(vecDot8TileFor(t, VecDotIsa::Scalar) == nullptr);
        }
        QVERIFY(vecDot8TileFor(GgmlType::Q4_0) == nullptr);
        quant::allowAvx2Kernels(false);
        const bool off = vecDot8TileFor(GgmlType::Q4_K) == nullptr &&
                         vecDot8TileFor(GgmlType::F16, VecDotIsa::Avx512) == nullptr;
        quant::allowAvx2Kernels(true);
        QVERIFY(off);
    }

    // Row tiles (one row, several inputs; AVX2 and AVX-512, skipped where the CPU lacks the
    // instructions; Q4_0 has only the AVX2 one) give, for every input, the bits of the AVX2 row
    // kernel on that input: quantized rows and rows of random bytes whose d and dmin take extreme
    // halves (largest finite, subnormal, negative), input counts around the tile size, inputs of
    // one repeated value (activation bytes at the end of their range) among them.
    void rowTilesMatchRowKernel_data() {
        QTest::addColumn<GgmlType>("type");
        QTest::addColumn<int>("isa");
        QTest::addColumn<qint64>("cols");
        for (const VecDotIsa isa : {VecDotIsa::Avx2, VecDotIsa::Avx512}) {
            const char* isaName = isa == VecDotIsa::Avx2 ? "avx2" : "avx512";
            for (GgmlType t : {GgmlType::Q5_K, GgmlType::Q3_K, GgmlType::Q2_K}) {
                for (qint64 cols : {256, 768, 2048}) {
                    QTest::addRow("%s %s x %lld", isaName, typeName(t).constData(), cols)
                        << t << static_cast<int>(isa) << cols;
                }
            }
        }
        for (qint64 cols : {32, 256, 800}) { // Q4_0: AVX2 only
            QTest::addRow("avx2 %s x %lld", typeName(GgmlType::Q4_0).constData(), cols)
                << GgmlType::Q4_0 << static_cast<int>(VecDotIsa::Avx2) << cols;
        }
    }

    void rowTilesMatchRowKernel() {
        QFETCH(GgmlType, type);
        QFETCH(int, isa);
        QFETCH(qint64, cols);
        const auto tileIsa = static_cast<VecDotIsa>(isa);
        if (tileIsa == VecDotIsa::Avx2 && !cpuHasAvx2()) {
            QSKIP("no AVX2, FMA and F16C on this CPU");
        }
        if (tileIsa == VecDotIsa::Avx512 && !cpuHasAvx512()) {
            QSKIP("no AVX-512 F/BW/VL/DQ and VNNI on this CPU");
        }
        const VecDotTileFn tile = vecDotTileFor(type, tileIsa);
        QVERIFY(tile != nullptr);
        const VecDotFn dot = vecDotFor(type, VecDotIsa::Avx2);
        QVERIFY(dot != nullptr && dot == vecDotFor(type, VecDotIsa::Best));
        const std::int64_t rows = 6;
        const std::size_t bytesPerRow = rowBytes(type, cols);
        const std::size_t stride = vecDotActivationBytes(type, cols);
        std::mt19937 rng(static_cast<unsigned>(cols) * 7u + static_cast<unsigned>(type) +
                         static_cast<unsigned>(isa));
        std::vector<std::byte> bytes =
            quantizeWeights(type, randomValues(rows * cols, rng), rows, cols);
        randomBlocksWithExtremeScales(type, bytes.data() + 3 * bytesPerRow, 3 * cols, rng);
        const int kT =
            tileIsa == VecDotIsa::Avx2 ? vecdot::kRowTileInputs : vecdot::kRowTileInputsAvx512;
        for (const std::int64_t inputs : {1, 2, kT - 1, kT, kT + 1, 3 * kT + 2, 8 * kT + 3}) {
            std::vector<float> x = randomValues(inputs * cols, rng);
            std::fill(x.begin(), x.begin() + cols, 2.5f); // input 0: bytes of 127
            if (inputs > 2) {
                std::fill(x.begin() + 2 * cols, x.begin() + 3 * cols, -1e-3f);
            }
            std::vector<std::byte> act(stride * static_cast<std::size_t>(inputs));
            for (std::int64_t t = 0; t < inputs; ++t) {
                quantizeVecDotActivations(type, x.data() + t * cols, act.data() + stride * t, cols);
            }
            // As cpuMatmulQuantized lays results out: input t's row r at t * rows + r.
            std::vector<float> got(static_cast<std::size_t>(inputs * rows), NAN);
            for (std::int64_t r = 0; r < rows; ++r) {
                tile(bytes.data() + bytesPerRow * r, act.data(), stride, inputs, cols,
                     got.data() + r, rows);
            }
            for (std::int64_t t = 0; t < inputs; ++t) {
                for (std::int64_t r = 0; r < rows; ++r) {
                    const float value = got[static_cast<std::size_t>(t * rows + r)];
                    const float want =
                        dot(bytes.data() + bytesPerRow * r, act.data() + stride * t, cols);
                    QVERIFY2(std::memcmp(&value, &want, sizeof(float)) == 0,
                             qPrintable(QStringLiteral("%1 inputs, input %2, row %3: %4 vs %5")
                                            .arg(inputs)
                                            .arg(t)
                                            .arg(r)
                                            .arg(static_cast<double>(value), 0, 'g', 9)
                                            .arg(static_cast<double>(want), 0, 'g', 9)));
                }
            }
            // The comparison sees a change of one input (up to 32 activation bytes of its
            // first block): that input's results move (and still match the row kernel), the
            // others keep their bits.
            const std::int64_t changed = inputs - 1;
            std::int8_t* qs =
                activationTypeFor(type) == GgmlType::Q8_K
                    ? reinterpret_cast<quant::BlockQ8K*>(act.data() + stride * changed)->qs
                    : reinterpret_cast<quant::BlockQ8_0*>(act.data() + stride * changed)->qs;
            for (int k = 0; k < 32; ++k) {
                qs[k] = static_cast<std::int8_t>(qs[k] == 90 ? -90 : 90);
            }
            std::vector<float> again(got.size(), NAN);
            for (std::int64_t r = 0; r < rows; ++r) {
                tile(bytes.data() + bytesPerRow * r, act.data(), stride, inputs, cols,
                     again.data() + r, rows);
            }
            for (std::int64_t t = 0; t < inputs; ++t) {
                const std::size_t at = static_cast<std::size_t>(t * rows);
                const bool same = std::memcmp(&got[at], &again[at],
                                              sizeof(float) * static_cast<std::size_t>(rows)) == 0;
                QVERIFY2(same == (t != changed), qPrintable(QStringLiteral("input %1").arg(t)));
            }
            const float want = dot(bytes.data(), act.data() + stride * changed, cols);
            QVERIFY(std::memcmp(&want, &again[static_cast<std::size_t>(changed * rows)],
                                sizeof(float)) == 0);
        }
    }

    // The dispatch picks only row tiles that rowTilesMatchRowKernel checks: AVX-512 where the
    // CPU has it, else AVX2, else none; and none with the vector kernels turned off.
    void rowTileDispatchPicksTestedBuild() {
        for (GgmlType t : {GgmlType::Q5_K, GgmlType::Q3_K, GgmlType::Q2_K}) {
            const VecDotTileFn best = vecDotTileFor(t);
            if (cpuHasAvx512()) {
                QVERIFY(best != nullptr && best == vecDotTileFor(t, VecDotIsa::Avx512));
            } else if (cpuHasAvx2()) {
                QVERIFY(best != nullptr && best == vecDotTileFor(t, VecDotIsa::Avx2));
            } else {
                QVERIFY(best == nullptr);
            }
            QCOMPARE(vecDotTileFor(t, VecDotIsa::Avx2) != nullptr, cpuHasAvx2());
            QVERIFY(vecDotTileFor(t, VecDotIsa::Scalar) == nullptr);
        }
        // Q4_0: the AVX2 build only, on AVX-512 CPUs too.
        QVERIFY(vecDotTileFor(GgmlType::Q4_0) == vecDotTileFor(GgmlType::Q4_0, VecDotIsa::Avx2));
        QCOMPARE(vecDotTileFor(GgmlType::Q4_0) != nullptr, cpuHasAvx2());
        QVERIFY(vecDotTileFor(GgmlType::Q4_0, VecDotIsa::Avx512) == nullptr);
        // Repacked types use their 8-row tiles; types without a row tile keep the row kernel.
        for (GgmlType t : {GgmlType::Q4_K, GgmlType::Q6_K, GgmlType::Q8_0, GgmlType::IQ2_XS}) {
            QVERIFY(vecDotTileFor(t) == nullptr);
        }
        quant::allowAvx2Kernels(false);
        const bool off = vecDotTileFor(GgmlType::Q5_K) == nullptr &&
                         vecDotTileFor(GgmlType::Q2_K, VecDotIsa::Avx512) == nullptr;
        quant::allowAvx2Kernels(true);
        QVERIFY(off);
    }

    // cpuMatmulQuantized over a batch (row tiles, inputs in passes, rows over threads) gives
    // every input the bits of the same product with that input alone (the row kernel).
    void batchedMatmulTilesMatchSingleInputs_data() {
        QTest::addColumn<GgmlType>("type");
        QTest::addColumn<qint64>("n");
        for (GgmlType t : {GgmlType::Q5_K, GgmlType::Q3_K, GgmlType::Q2_K, GgmlType::Q4_0}) {
            for (qint64 n : {2, 7, 70}) {
                QTest::addRow("%s n %lld", typeName(t).constData(), n) << t << n;
            }
        }
    }

    void batchedMatmulTilesMatchSingleInputs() {
        QFETCH(GgmlType, type);
        QFETCH(qint64, n);
        const std::int64_t rows = 37, cols = 512;
        std::mt19937 rng(static_cast<unsigned>(n) + 17u * static_cast<unsigned>(type));
        const std::vector<std::byte> bytes =
            quantizeWeights(type, randomValues(rows * cols, rng), rows, cols);
        const std::vector<float> x = randomValues(n * cols, rng);
        const WeightMatrix m{type, bytes.data(), rows, cols};
        ParallelPool pool(3);
        std::vector<float> got(static_cast<std::size_t>(n * rows), NAN);
        QVERIFY(cpuMatmulQuantized(pool, m, x.data(), n, got.data()));
        std::vector<float> want(got.size(), NAN);
        for (std::int64_t t = 0; t < n; ++t) {
            QVERIFY(cpuMatmulQuantized(pool, m, x.data() + t * cols, 1, want.data() + t * rows));
        }
        QVERIFY(std::memcmp(got.data(), want.data(), sizeof(float) * got.size()) == 0);
    }

    // Attention's float loops: the AVX2 builds give the portable builds' bits (the same
    // multiplies and adds in the same order), for lengths with and without a tail.
    void floatLoopsMatchPortable() {
        if (!cpuHasAvx2()) {
            QSKIP("no AVX2, FMA and F16C on this CPU");
        }
        std::mt19937 rng(21);
        for (const std::int64_t n : {1, 7, 16, 64, 100, 128, 200}) {
            const std::vector<float> a = randomValues(n, rng);
            const std::vector<float> b = randomValues(n, rng);
            const std::int64_t count = 9;
            const std::size_t stride = static_cast<std::size_t>(n) + 3;
            const std::vector<float> rows =
                randomValues(count * static_cast<std::int64_t>(stride), rng);
            const std::vector<float> weights = randomValues(count, rng);
            std::vector<float> start = randomValues(n, rng);
            QVERIFY(avx2KernelsRun());
            const float dotVector = dotProduct(a.data(), b.data(), n);
            std::vector<float> scoresVector(static_cast<std::size_t>(count));
            scaledDotProducts(a.data(), rows.data(), stride, count, n, 0.125f, scoresVector.data());
            std::vector<float> sumVector = start;
            weightedSum(sumVector.data(), rows.data(), stride, weights.data(), 0.37f, count, n);
            quant::allowAvx2Kernels(false);
            const float dotPortable = dotProduct(a.data(), b.data(), n);
            std::vector<float> scoresPortable(static_cast<std::size_t>(count));
            scaledDotProducts(a.data(), rows.data(), stride, count, n, 0.125f,
                              scoresPortable.data());
            std::vector<float> sumPortable = start;
            weightedSum(sumPortable.data(), rows.data(), stride, weights.data(), 0.37f, count, n);
            quant::allowAvx2Kernels(true);
            QCOMPARE(std::memcmp(&dotVector, &dotPortable, sizeof(float)), 0);
            QCOMPARE(std::memcmp(scoresVector.data(), scoresPortable.data(),
                                 sizeof(float) * scoresVector.size()),
                     0);
            for (std::int64_t j = 0; j < count; ++j) { // each score is the row's dot product
                const float one = dotProduct(a.data(), rows.data() + j * stride, n) * 0.125f;
                QCOMPARE(std::memcmp(&scoresVector[j], &one, sizeof(float)), 0);
            }
            QCOMPARE(
                std::memcmp(sumVector.data(), sumPortable.data(), sizeof(float) * sumVector.size()),
                0);
            // And both are the sums they claim to be.
            double want = 0.0;
            double magnitude = 0.0;
            for (std::int64_t i = 0; i < n; ++i) {
                want += static_cast<double>(a[i]) * b[i];
                magnitude += std::fabs(static_cast<double>(a[i]) * b[i]);
            }
            QVERIFY(std::fabs(dotPortable - want) <= 1e-6 * magnitude);
            for (std::int64_t d = 0; d < n; ++d) {
                double w = start[d];
                for (std::int64_t j = 0; j < count; ++j) {
                    w += static_cast<double>(weights[j]) * 0.37 * rows[j * stride + d];
                }
                QVERIFY(std::fabs(sumPortable[d] - w) <= 1e-5 * (1.0 + std::fabs(w)));
            }
        }
    }

    // The blocks the kernels read hold exactly the values roundActivations leaves, so the
    // fused path and the dequantize-then-dot path see the same activations.
    void activationBlocksMatchRounding_data() {
        QTest::addColumn<GgmlType>("type");
        QTest::newRow("Q8_K") << GgmlType::Q8_K;
        QTest::newRow("Q8_0") << GgmlType::Q8_0;
    }

    void activationBlocksMatchRounding() {
        QFETCH(GgmlType, type);
        std::mt19937 rng(7);
        std::vector<float> x = randomValues(1024, rng);
        x[3] = 0.0f;
        std::fill(x.begin() + 256, x.begin() + 512, 0.0f); // an all-zero Q8_K block
        const GgmlType weightType = type == GgmlType::Q8_K ? GgmlType::Q4_K : GgmlType::Q8_0;
        std::vector<std::byte> blocks(vecDotActivationBytes(weightType, 1024));
        quantizeVecDotActivations(weightType, x.data(), blocks.data(), 1024);
        std::vector<float> fromBlocks(x.size());
        QVERIFY(dequantizeRow(type, blocks.data(), fromBlocks.data(), 1024).ok());
        std::vector<float> rounded = x;
        roundActivations(type, rounded.data(), 1024);
        for (std::size_t i = 0; i < x.size(); ++i) {
            QCOMPARE(fromBlocks[i], rounded[i]);
        }
    }

    // The vector conversions give the scalar ones' bytes exactly: Q8_K blocks (d, qs, bsums)
    // and f16 rounding, on random values and on the edge cases of each.
    void vectorConversionsMatchScalar() {
        std::mt19937 rng(5);
        std::vector<float> x = randomValues(2048, rng);
        std::fill(x.begin() + 256, x.begin() + 512, 0.0f); // an all-zero block
        x[600] = 7.0f;                                     // largest magnitude twice: the
        x[700] = -7.0f;                                    // first one's sign wins
        x[1000] = -9.0f;
        for (int i = 1024; i < 1280; ++i) {
            x[static_cast<std::size_t>(i)] = 0.5f * static_cast<float>(i - 1152); // ties
        }
        std::vector<quant::BlockQ8K> want(8), got(8);
        quantizeActivationsQ8K(x.data(), want.data(), 2048);
        quantizeVecDotActivations(GgmlType::Q4_K, x.data(), got.data(), 2048);
        QCOMPARE(std::memcmp(want.data(), got.data(), sizeof(quant::BlockQ8K) * 8), 0);

        std::vector<float> h = randomValues(1003, rng); // a tail after the last 8
        const float edges[] = {0.0f,     -0.0f, 1e-8f,         -3e-8f,        6.0e-8f,
                               5.96e-8f, 1e-5f, 6.1e-5f,       65504.0f,      65519.0f,
                               65520.0f, -7e4f, 1.0009765625f, 1.00048828125f};
        std::copy(std::begin(edges), std::end(edges), h.begin());
        for (std::size_t i = 20; i < 60; ++i) {
            h[i] = std::ldexp(1.0f + static_cast<float>(i) / 64.0f, -static_cast<int>(i) / 2);
        }
        std::vector<float> wantHalf = h;
        roundActivations(GgmlType::F16, wantHalf.data(), static_cast<std::int64_t>(h.size()));
        roundToHalf(h.data(), static_cast<std::int64_t>(h.size()));
        QCOMPARE(std::memcmp(wantHalf.data(), h.data(), sizeof(float) * h.size()), 0);
    }

    // Batched: n inputs, rows split over threads; each result as the single-row kernel gives.
    void batchedMatmulMatchesRowKernel() {
        const GgmlType type = GgmlType::Q4_K;
        const std::int64_t rows = 37, cols = 512, n = 3;
        std::mt19937 rng(11);
        const std::vector<float> w = randomValues(rows * cols, rng);
        const std::vector<float> x = randomValues(n * cols, rng);
        const std::vector<std::byte> bytes = quantizeWeights(type, w, rows, cols);
        const WeightMatrix m{type, bytes.data(), rows, cols};
        ParallelPool pool(2);
        std::vector<float> y(static_cast<std::size_t>(n * rows));
        QVERIFY(cpuMatmulQuantized(pool, m, x.data(), n, y.data()));
        const VecDotFn dot = vecDotFor(type);
        std::vector<std::byte> act(vecDotActivationBytes(type, cols));
        for (std::int64_t t = 0; t < n; ++t) {
            quantizeVecDotActivations(type, x.data() + t * cols, act.data(), cols);
            for (std::int64_t r = 0; r < rows; ++r) {
                const float want =
                    dot(bytes.data() + static_cast<std::size_t>(r) * rowBytes(type, cols),
                        act.data(), cols);
                QCOMPARE(y[static_cast<std::size_t>(t * rows + r)], want);
            }
        }
        const WeightMatrix iq{GgmlType::IQ4_XS, bytes.data(), rows, cols};
        QVERIFY(!cpuMatmulQuantized(pool, iq, x.data(), n, y.data())); // no fused kernel
    }

    // A repacked matrix gives the plain fused product's results (to float summation order), for
    // a batch and a single input, over several threads.
    void repackedMatmulMatchesPlain() {
        if (!vecDot8For(GgmlType::Q4_K)) {
            QSKIP("no 8-row kernel on this CPU");
        }
        const GgmlType type = GgmlType::Q4_K;
        const std::int64_t rows = 48, cols = 768;
        std::mt19937 rng(13);
        const std::vector<float> w = randomValues(rows * cols, rng);
        const std::vector<std::byte> bytes = quantizeWeights(type, w, rows, cols);
        const WeightMatrix m{type, bytes.data(), rows, cols};
        ParallelPool pool(3);
        const auto repacked = RepackedMatrix::build(pool, m);
        QVERIFY(repacked != nullptr);
        QCOMPARE(repacked->bytes(), vecDot8GroupBytes(type, cols) * rows / 8);
        for (std::int64_t n : {1, 4}) {
            const std::vector<float> x = randomValues(n * cols, rng);
            std::vector<float> want(static_cast<std::size_t>(n * rows));
            std::vector<float> got(want.size());
            QVERIFY(cpuMatmulQuantized(pool, m, x.data(), n, want.data()));
            cpuMatmulRepacked(pool, *repacked, x.data(), n, got.data());
            for (std::size_t i = 0; i < want.size(); ++i) {
                const std::int64_t t = static_cast<std::int64_t>(i) / rows;
                const std::int64_t r = static_cast<std::int64_t>(i) % rows;
                std::vector<float> xt(x.begin() + t * cols, x.begin() + (t + 1) * cols);
                const Reference ref = reference(type, bytes.data() + rowBytes(type, cols) * r, xt);
                QVERIFY2(std::fabs(got[i] - want[i]) <= 2e-6 * ref.magnitude,
                         qPrintable(QStringLiteral("n %1, entry %2: %3 vs %4")
                                        .arg(n)
                                        .arg(i)
                                        .arg(static_cast<double>(got[i]))
                                        .arg(static_cast<double>(want[i]))));
            }
        }
        // Several matrices (of both repacked types) with one input: as one product each.
        const std::vector<float> w6 = randomValues(16 * cols, rng);
        const std::vector<std::byte> bytes6 = quantizeWeights(GgmlType::Q6_K, w6, 16, cols);
        const auto repacked6 =
            RepackedMatrix::build(pool, WeightMatrix{GgmlType::Q6_K, bytes6.data(), 16, cols});
        QVERIFY(repacked6 != nullptr);
        for (std::int64_t n : {1, 3}) {
            const std::vector<float> x = randomValues(n * cols, rng);
            std::vector<float> want4(static_cast<std::size_t>(n * rows)), got4(want4.size());
            std::vector<float> want6(static_cast<std::size_t>(n * 16)), got6(want6.size());
            cpuMatmulRepacked(pool, *repacked, x.data(), n, want4.data());
            cpuMatmulRepacked(pool, *repacked6, x.data(), n, want6.data());
            const RepackedProduct products[] = {{repacked.get(), got4.data()},
                                                {repacked6.get(), got6.data()}};
            cpuMatmulRepacked(pool, products, x.data(), n);
            QCOMPARE(got4, want4); // the same kernel calls: exactly equal
            QCOMPARE(got6, want6);
        }

        // No 8-row kernel, a row count that does not split into groups or F16 rows that do not
        // split into 8-column chunks: not repacked.
        QVERIFY(RepackedMatrix::build(pool, WeightMatrix{type, bytes.data(), 44, cols}) == nullptr);
        QVERIFY(RepackedMatrix::build(pool, WeightMatrix{GgmlType::F16, bytes.data(), 8, 100}) ==
                nullptr);
        QVERIFY(RepackedMatrix::build(pool, WeightMatrix{GgmlType::Q4_0, bytes.data(), 48, 768}) ==
                nullptr);
    }
};

QTEST_APPLESS_MAIN(TestVecDot)
#include "tst_vec_dot.moc"
