// The lane searches of quant_lanes.h against the scalar searches of quant_search.cpp they
// mirror, group by group, on many random groups and on the awkward ones (all equal, all zero,
// one outlier, subnormal, huge): the same levels and the same float bits, or the k-quant files
// would differ from llama.cpp's somewhere the golden cases do not reach.
#include "core/quant/quant_lanes.h"
#include "core/quant/quant_search.h"

#include <QTest>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#pragma GCC diagnostic ignored "-Wpsabi"

using namespace qs::core::quant;

namespace {

constexpr int kLanes = 4;
using F = lanes::Vec<kLanes>::F;

// kLanes groups of n values: random heavy-tailed ones, then special shapes in some lanes.
std::vector<float> makeGroups(std::mt19937& rng, int n, int round) {
    std::student_t_distribution<float> t(3.0f);
    std::vector<float> x(static_cast<std::size_t>(n * kLanes));
    for (auto& v : x) {
        v = 0.05f * t(rng);
    }
    float* g = x.data() + (round % kLanes) * n;
    switch (round % 7) {
    case 1: // all equal
        for (int i = 0; i < n; ++i) {
            g[i] = 0.25f;
        }
        break;
    case 2: // all zero
        for (int i = 0; i < n; ++i) {
            g[i] = 0.f;
        }
        break;
    case 3: // subnormal values
        for (int i = 0; i < n; ++i) {
            g[i] = static_cast<float>(i % 5) * 1e-41f;
        }
        break;
    case 4: // one outlier
        g[round % n] = 40.f;
        break;
    case 5: // all positive
        for (int i = 0; i < n; ++i) {
            g[i] = std::fabs(g[i]) + 1e-3f;
        }
        break;
    case 6: // huge
        for (int i = 0; i < n; ++i) {
            g[i] *= 1e30f;
        }
        break;
    default:
        break;
    }
    return x;
}

template <int N>
void transposeIn(const float* x, F* xt) {
    lanes::gather<F, N, kLanes>(x, xt);
}

bool sameBits(float a, float b) {
    return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
}

} // namespace

class TestQuantLanes : public QObject {
    Q_OBJECT

private slots:
    // Q4_K's search (32 values, 15 levels, qkx2) and Q2_K's (16 values, 3 levels, MAD).
    void qkx2MatchesScalar() {
        std::mt19937 rng(7);
        for (int round = 0; round < 300; ++round) {
            checkQkx<32, false>(rng, round, 15, -1.f, 0.1f, 20, false);
            checkQkx<16, false>(rng, round, 3, -0.5f, 0.1f, 15, true);
        }
    }

    // The importance-weighted search of Q2_K..Q5_K (qkx3, 37 steps).
    void qkx3MatchesScalar() {
        std::mt19937 rng(8);
        for (int round = 0; round < 300; ++round) {
            checkQkx<32, true>(rng, round, 31, -0.9f, 0.05f, 36, false);
            checkQkx<16, true>(rng, round, 3, -0.9f, 0.05f, 36, false);
        }
    }

    // Q6_K's and Q3_K's symmetric search, with x^2 and with explicit weights.
    void qxMatchesScalar() {
        std::mt19937 rng(9);
        for (int round = 0; round < 300; ++round) {
            const auto x = makeGroups(rng, 16, round);
            std::vector<float> w(x.size());
            for (std::size_t i = 0; i < w.size(); ++i) {
                w[i] = 0.1f + static_cast<float>(rng() % 1000) / 100.f;
            }
            for (const int nmax : {32, 4}) {
                for (const bool weighted : {false, true}) {
                    F xt[16], wt[16], lt[16];
                    transposeIn<16>(x.data(), xt);
                    transposeIn<16>(w.data(), wt);
                    const F scale = lanes::qxQuants<F, 16>(nmax, xt, lt, weighted ? wt : nullptr);
                    for (int j = 0; j < kLanes; ++j) {
                        std::int8_t L[16];
                        const float want = makeQxQuants(16, nmax, x.data() + 16 * j, L, 1,
                                                        weighted ? w.data() + 16 * j : nullptr);
                        QVERIFY2(sameBits(scale[j], want),
                                 qPrintable(QStringLiteral("round %1 lane %2").arg(round).arg(j)));
                        for (int i = 0; i < 16; ++i) {
                            QCOMPARE(static_cast<int>(lt[i][j]), static_cast<int>(L[i]));
                        }
                    }
                }
            }
        }
    }

private:
    template <int N, bool Qkx3>
    void checkQkx(std::mt19937& rng, int round, int nmax, float rmin, float rdelta, int nstep,
                  bool useMad) {
        const auto x = makeGroups(rng, N, round);
        std::vector<float> w(x.size());
        for (std::size_t i = 0; i < w.size(); ++i) {
            w[i] = Qkx3 ? 0.1f + static_cast<float>(rng() % 1000) / 100.f : std::fabs(x[i]);
        }
        F xt[N], wt[N], lt[N], scale[1], theMin[1];
        transposeIn<N>(x.data(), xt);
        transposeIn<N>(w.data(), wt);
        lanes::qkxQuants<F, N, 1, Qkx3>(nmax, xt, wt, lt, scale, theMin, rmin, rdelta, nstep,
                                        useMad);
        for (int j = 0; j < kLanes; ++j) {
            std::uint8_t L[N], Laux[N];
            float wantMin = 0;
            const float* xj = x.data() + N * j;
            const float* wj = w.data() + N * j;
            const float want = Qkx3 ? makeQkx3Quants(N, nmax, xj, wj, L, &wantMin, Laux, rmin,
                                                     rdelta, nstep, useMad)
                                    : makeQkx2Quants(N, nmax, xj, wj, L, &wantMin, Laux, rmin,
                                                     rdelta, nstep, useMad);
            const QString where = QStringLiteral("round %1 lane %2").arg(round).arg(j);
            QVERIFY2(sameBits(scale[0][j], want), qPrintable(where));
            QVERIFY2(sameBits(theMin[0][j], wantMin), qPrintable(where));
            for (int i = 0; i < N; ++i) {
                QCOMPARE(static_cast<int>(lt[i][j]), static_cast<int>(L[i]));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestQuantLanes)
#include "tst_quant_lanes.moc"
