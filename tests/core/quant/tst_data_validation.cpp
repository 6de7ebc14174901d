// The checks of ggml_validate_row_data (data_validation.h): for every writable block type, a
// block quantized from ordinary values passes and the same block with a NaN or infinite scale
// is found, at the right block and field; plain types are checked value by value.
#include "core/quant/data_validation.h"
#include "core/quant/format_registry.h"
#include "core/quant/half.h"

#include <QTest>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace qs::core;

namespace {

constexpr std::uint16_t kHalfInf = 0x7c00;
constexpr std::uint16_t kHalfNan = 0x7e00;

std::vector<float> randomRow(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> v(n);
    for (auto& x : v) {
        x = dist(rng);
    }
    return v;
}

// Byte offsets of the half-precision scale fields of each block type, from ggml-common.h's
// structs; written out here independently of data_validation.cpp so the test can disagree.
struct ScaleField {
    GgmlType type;
    std::size_t offset;
    const char* name;
};
const ScaleField kFields[] = {
    {GgmlType::Q4_0, 0, "d"},   {GgmlType::Q4_1, 0, "d"},    {GgmlType::Q4_1, 2, "m"},
    {GgmlType::Q5_0, 0, "d"},   {GgmlType::Q5_1, 0, "d"},    {GgmlType::Q5_1, 2, "m"},
    {GgmlType::Q8_0, 0, "d"},   {GgmlType::Q2_K, 80, "d"},   {GgmlType::Q2_K, 82, "dmin"},
    {GgmlType::Q3_K, 108, "d"}, {GgmlType::Q4_K, 0, "d"},    {GgmlType::Q4_K, 2, "dmin"},
    {GgmlType::Q5_K, 0, "d"},   {GgmlType::Q5_K, 2, "dmin"}, {GgmlType::Q6_K, 208, "d"},
    {GgmlType::IQ4_NL, 0, "d"}, {GgmlType::IQ4_XS, 0, "d"},  {GgmlType::TQ1_0, 52, "d"},
    {GgmlType::TQ2_0, 64, "d"},
};

} // namespace

class TestDataValidation : public QObject {
    Q_OBJECT

private slots:
    void findNonFiniteEverywhere() {
        // Every position of a vector long enough for the blocked scan and its tail.
        for (const float bad :
             {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
              -std::numeric_limits<float>::infinity()}) {
            for (std::uint64_t at : {0ull, 1ull, 63ull, 64ull, 127ull, 200ull, 299ull}) {
                std::vector<float> v = randomRow(300, 1);
                v[at] = bad;
                const auto found = findNonFinite(v.data(), v.size());
                QVERIFY(found.has_value());
                QCOMPARE(*found, at);
            }
        }
        const std::vector<float> clean = randomRow(300, 2);
        QVERIFY(!findNonFinite(clean.data(), clean.size()));
        // The largest finite float is a number.
        const float big = std::numeric_limits<float>::max();
        QVERIFY(!findNonFinite(&big, 1));
    }

    void plainTypes() {
        std::vector<float> f32 = randomRow(100, 3);
        f32[37] = std::numeric_limits<float>::infinity();
        auto p = findInvalidData(GgmlType::F32, std::as_bytes(std::span(f32)));
        QVERIFY(p && !p->isBlock);
        QCOMPARE(p->index, 37u);
        QCOMPARE(QString::fromStdString(p->describe()), QStringLiteral("value +inf"));

        std::vector<std::uint16_t> f16(50, fp32ToFp16(1.5f));
        QVERIFY(!findInvalidData(GgmlType::F16, std::as_bytes(std::span(f16))));
        f16[49] = kHalfNan;
        p = findInvalidData(GgmlType::F16, std::as_bytes(std::span(f16)));
        QVERIFY(p);
        QCOMPARE(p->index, 49u);
        QCOMPARE(QString::fromStdString(p->describe()), QStringLiteral("value nan"));

        std::vector<std::uint16_t> bf16(20, 0x3f80); // 1.0
        QVERIFY(!findInvalidData(GgmlType::BF16, std::as_bytes(std::span(bf16))));
        bf16[3] = 0xff80; // -inf
        p = findInvalidData(GgmlType::BF16, std::as_bytes(std::span(bf16)));
        QVERIFY(p);
        QCOMPARE(p->index, 3u);
        QCOMPARE(QString::fromStdString(p->describe()), QStringLiteral("value -inf"));
    }

    void blockScales_data() {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("offset");
        QTest::addColumn<QString>("field");
        QTest::addColumn<bool>("nan");
        for (const auto& f : kFields) {
            for (const bool nan : {false, true}) {
                const std::string name =
                    std::string(ggmlTypeInfo(f.type).name) + "." + f.name + (nan ? " nan" : " inf");
                QTest::newRow(name.c_str()) << static_cast<int>(f.type)
                                            << static_cast<int>(f.offset) << QString(f.name) << nan;
            }
        }
    }
    void blockScales() {
        QFETCH(int, type);
        QFETCH(int, offset);
        QFETCH(QString, field);
        QFETCH(bool, nan);
        const auto t = static_cast<GgmlType>(type);
        const GgmlTypeInfo& info = ggmlTypeInfo(t);
        // Three rows of one block each, quantized from ordinary values: valid.
        constexpr int kRows = 3;
        const std::vector<float> src = randomRow(kRows * info.blockSize, 4);
        std::vector<std::byte> bytes(kRows * info.bytesPerBlock);
        QVERIFY(quantizeRows(t, src.data(), bytes.data(), kRows, info.blockSize, nullptr).ok());
        QVERIFY(!findInvalidData(t, bytes));
        // The last block's scale made non-finite is found there, named.
        const std::uint16_t bad = nan ? kHalfNan : kHalfInf;
        std::memcpy(bytes.data() + 2 * info.bytesPerBlock + offset, &bad, sizeof(bad));
        const auto p = findInvalidData(t, bytes);
        QVERIFY(p.has_value());
        QVERIFY(p->isBlock);
        QCOMPARE(p->index, 2u);
        QCOMPARE(QString::fromStdString(p->field), field);
        QCOMPARE(std::isnan(p->value), nan);
    }

    void mxfp4Exponent() {
        const GgmlTypeInfo& info = ggmlTypeInfo(GgmlType::MXFP4);
        const std::vector<float> src = randomRow(2 * info.blockSize, 5);
        std::vector<std::byte> bytes(2 * info.bytesPerBlock);
        QVERIFY(quantizeRows(GgmlType::MXFP4, src.data(), bytes.data(), 2, info.blockSize, nullptr)
                    .ok());
        QVERIFY(!findInvalidData(GgmlType::MXFP4, bytes));
        bytes[info.bytesPerBlock] = std::byte{0xff}; // E8M0 0xff is NaN
        const auto p = findInvalidData(GgmlType::MXFP4, bytes);
        QVERIFY(p && p->index == 1 && p->field == "e");
    }

    void iq1mScaleIsAssembledFromNibbles() {
        // IQ1_M's scale is the top nibble of each of its four 16-bit scale words.
        std::vector<std::byte> block(ggmlTypeInfo(GgmlType::IQ1_M).bytesPerBlock);
        const std::uint16_t one = fp32ToFp16(1.0f); // 0x3c00
        std::uint16_t words[4];
        for (int i = 0; i < 4; ++i) {
            words[i] = static_cast<std::uint16_t>(((one >> (4 * i)) & 0xf) << 12);
        }
        std::memcpy(block.data() + 48, words, sizeof(words));
        QVERIFY(!findInvalidData(GgmlType::IQ1_M, block));
        for (int i = 0; i < 4; ++i) {
            words[i] = static_cast<std::uint16_t>(((kHalfInf >> (4 * i)) & 0xf) << 12);
        }
        std::memcpy(block.data() + 48, words, sizeof(words));
        const auto p = findInvalidData(GgmlType::IQ1_M, block);
        QVERIFY(p && p->field == "scale" && std::isinf(p->value));
    }

    void hugeValuesOverflowTheScale() {
        // Finite source values beyond what a half-precision scale can express: the quantized
        // block is what goes wrong, and validation is what notices.
        std::vector<float> src = randomRow(32, 6);
        src[5] = 1e30f;
        std::vector<std::byte> bytes(ggmlTypeInfo(GgmlType::Q8_0).bytesPerBlock);
        QVERIFY(quantizeRows(GgmlType::Q8_0, src.data(), bytes.data(), 1, 32, nullptr).ok());
        const auto p = findInvalidData(GgmlType::Q8_0, bytes);
        QVERIFY(p && p->field == "d" && std::isinf(p->value));
    }
};

QTEST_APPLESS_MAIN(TestDataValidation)
#include "tst_data_validation.moc"
