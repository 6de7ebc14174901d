// The CPU traits table of the forward pass (core/eval/cpu_type_traits.h, issue 17): the
// vec_dot_type of every weight type as ggml's type_traits_cpu gives it, and rows that are
// complete, so that a format added as one row has everything its kernels need.
#include "core/eval/activation_rounding.h"
#include "core/eval/cpu_type_traits.h"
#include "core/eval/vec_dot.h"
#include "core/quant/ggml_type.h"

#include <QTest>

#include <vector>

using namespace qs::core;

class TestCpuTypeTraits : public QObject {
    Q_OBJECT

private slots:
    void vecDotTypesAreGgmls() {
        const std::vector<std::pair<GgmlType, GgmlType>> expected = {
            {GgmlType::F32, GgmlType::F32},     {GgmlType::F16, GgmlType::F16},
            {GgmlType::BF16, GgmlType::BF16},   {GgmlType::Q4_0, GgmlType::Q8_0},
            {GgmlType::Q5_0, GgmlType::Q8_0},   {GgmlType::Q8_0, GgmlType::Q8_0},
            {GgmlType::IQ4_NL, GgmlType::Q8_0}, {GgmlType::MXFP4, GgmlType::Q8_0},
            {GgmlType::Q4_1, GgmlType::Q8_1},   {GgmlType::Q5_1, GgmlType::Q8_1},
            {GgmlType::Q2_K, GgmlType::Q8_K},   {GgmlType::Q3_K, GgmlType::Q8_K},
            {GgmlType::Q4_K, GgmlType::Q8_K},   {GgmlType::Q5_K, GgmlType::Q8_K},
            {GgmlType::Q6_K, GgmlType::Q8_K},   {GgmlType::IQ2_XXS, GgmlType::Q8_K},
            {GgmlType::IQ4_XS, GgmlType::Q8_K}, {GgmlType::TQ1_0, GgmlType::Q8_K},
            {GgmlType::TQ2_0, GgmlType::Q8_K},
        };
        for (const auto& [weight, activation] : expected) {
            QCOMPARE(static_cast<int>(cpuTypeTraits(weight).type), static_cast<int>(weight));
            QCOMPARE(static_cast<int>(activationTypeFor(weight)), static_cast<int>(activation));
        }
    }

    // A fused kernel needs its activations converted (fromFloat) into blocks that divide its
    // weight blocks; an 8-row kernel needs its repack and group size; an AVX2 build never
    // comes without the portable one that tests and other CPUs run.
    void rowsAreComplete() {
        for (const GgmlTypeInfo& info : allGgmlTypes()) {
            const CpuTypeTraits& t = cpuTypeTraits(info.type);
            const QByteArray name(info.name.data(), static_cast<qsizetype>(info.name.size()));
            QVERIFY2(!t.dotAvx2 || t.dotScalar, name.constData());
            QVERIFY2(!t.dot8Avx2 || t.dot8Scalar, name.constData());
            // A row tile gives the AVX2 row kernel's bits, so comes only with that kernel; its
            // AVX-512 build only with the AVX2 one (CPUs without AVX-512); and none for types
            // with 8-row groups, whose batches go through the group tiles.
            QVERIFY2(!t.dotTileAvx2 || t.dotAvx2, name.constData());
            QVERIFY2(!t.dotTileAvx512 || t.dotTileAvx2, name.constData());
            QVERIFY2(!t.dotTileAvx2 || !t.repack8, name.constData());
            if (t.dotScalar) {
                const CpuTypeTraits& a = cpuTypeTraits(t.vecDotType);
                QVERIFY2(a.fromFloat, name.constData());
                QVERIFY2(info.blockSize % static_cast<std::uint32_t>(a.activationBlockValues) == 0,
                         name.constData());
                QVERIFY2(vecDotFor(info.type, VecDotIsa::Scalar) == t.dotScalar, name.constData());
            } else {
                QVERIFY2(vecDotFor(info.type) == nullptr, name.constData());
            }
            if (t.dot8Scalar) {
                QVERIFY2(t.dotScalar && t.repack8 && t.group8Bytes, name.constData());
                QVERIFY2(vecDot8GroupBytes(info.type, 256) > 0, name.constData());
                QVERIFY2(vecDot8For(info.type, VecDotIsa::Scalar) == t.dot8Scalar,
                         name.constData());
            } else {
                QCOMPARE(vecDot8GroupBytes(info.type, 256), std::size_t(0));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestCpuTypeTraits)
#include "tst_cpu_type_traits.moc"
