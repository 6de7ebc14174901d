// Decoding of one 32-value group of a storage type into floats, shared by the dequantize and
// matvec entry shaders. The including shader declares `usamplerBuffer srcBlocks` and
// `srcQuads`, the packed blocks through texel views of 32-bit words (R32_UINT) and of 16-byte
// texels (R32G32B32A32_UINT) over the same range, so no 8/16-bit storage feature is needed,
// and defines exactly one QS_TYPE_<name>.
//
// Bit-exactness with the CPU dequantizers (core/quant/quant_*.cpp) rests on two rules: every
// value is computed with the same operations in the same order, and results are `precise`,
// so no compiler may fuse a multiply and an add into an FMA.
//
// Speed on lavapipe (llvmpipe, Mesa 22.3), which runs 8 invocations as one SIMD thread:
// - A storage-buffer load becomes a loop over the 8 lanes with a bounds check and a vector
//   insert per lane and component: loading a group's 32 words as 8 uvec4s that way took
//   several times as long as storing them as 8 uvec4s. A texel fetch is a vector gather, far
//   cheaper. So inputs are texel buffers, outputs storage buffers; runs of words are read as
//   16-byte texels (3 fetches for 9 words), which measured faster than word by word.
// - `if` is executed as masked straight-line code: both sides always run. So there are no
//   runtime alignment branches: a block's alignment follows from its size (UNIT_BYTES, fixed
//   per format), because every block, row and chunk starts at a multiple of the block size
//   from a 16-byte aligned binding (chunk_plan.cpp). Per-lane choices are selects.
// - The 32 values stay in registers only if every index into v[] is a constant: all loops
//   are unrolled and there is no `break`.
#ifndef QS_DEQUANT_FUNCS_GLSL
#define QS_DEQUANT_FUNCS_GLSL

#extension GL_EXT_control_flow_attributes : require
#include "types.glsl"
#include "half_convert.glsl"

// Word i of the bound blocks.
uint srcWord(uint i) { return texelFetch(srcBlocks, int(i)).x; }

uint byteOf(uint word, uint j) { return (word >> (8u * j)) & 0xFFu; }

// addr must be even: every 16-bit field of every block lies at an even offset.
uint loadU16(uint addr) { return (srcWord(addr >> 2) >> ((addr & 2u) * 8u)) & 0xFFFFu; }

uint loadByte(uint addr) { return (srcWord(addr >> 2) >> ((addr & 3u) * 8u)) & 0xFFu; }

// 16 bytes at a multiple of 16.
uvec4 loadVec4(uint addr) { return texelFetch(srcQuads, int(addr >> 4)); }

// a, b, c or d for r = 0, 1, 2, 3: selects, not branches.
uint pick4(uint r, uint a, uint b, uint c, uint d) {
    const bool odd = (r & 1u) != 0u;
    return mix(mix(a, b, odd), mix(c, d, odd), (r & 2u) != 0u);
}

// Entry q (0..15) of a 16-entry int8 code book packed as in types.glsl.
int codeBookValue(uvec4 book, uint q) {
    return bitfieldExtract(int(pick4(q >> 2, book.x, book.y, book.z, book.w)), int(8u * (q & 3u)),
                           8);
}

// Words i .. i + 8 (any i) from the three 16-byte texels that hold them; texels whose words
// a caller leaves unused are never fetched (dead code). The third texel may start up to 12
// bytes past the last word a caller uses: bindings keep 16 bytes of slack (chunk_plan.h).
void loadWords9(uint i, out uint a[9]) {
    const uint q = i >> 2;
    const uint r = i & 3u;
    const uvec4 t0 = texelFetch(srcQuads, int(q));
    const uvec4 t1 = texelFetch(srcQuads, int(q + 1u));
    const uvec4 t2 = texelFetch(srcQuads, int(q + 2u));
    const uint w[12] = uint[12](t0.x, t0.y, t0.z, t0.w, t1.x, t1.y, t1.z, t1.w, t2.x, t2.y,
                                t2.z, t2.w);
    [[unroll]] for (uint k = 0u; k < 9u; ++k) {
        a[k] = pick4(r, w[k], w[k + 1u], w[k + 2u], w[k + 3u]);
    }
}

// The bits of `lo` from `shift` up, continued with `hi` (shift < 32).
uint funnel(uint lo, uint hi, uint shift) {
    // (hi << 1) << (31 - shift) is hi << (32 - shift) without a shift by 32 when shift is 0.
    return (lo >> shift) | ((hi << 1) << (31u - shift));
}

// Blocks whose size is even but not a multiple of 4 (Q8_0: 34 bytes) start at byte 0 or 2 of
// a word. Their words a[] are loaded from the word holding the block's first byte; `odd` says
// the block starts at byte 2 of a[0]. For a field at block offset f, pass a[f / 4] and
// a[f / 4 + 1]:
uint hiLo(uint lo, uint hi) { return (lo >> 16) | (hi << 16); }
// the 32 bits at an f that is a multiple of 4,
uint word0(uint lo, uint hi, bool odd) { return odd ? hiLo(lo, hi) : lo; }
// the 32 bits at an f that is 2 more than a multiple of 4,
uint word2(uint lo, uint hi, bool odd) { return odd ? hi : hiLo(lo, hi); }
// the 16 bits at an f that is a multiple of 4 (lo only).
uint half0(uint lo, bool odd) { return odd ? lo >> 16 : lo & 0xFFFFu; }

// 32 bytes at block offset f (a multiple of 4) of an even-sized block starting at `base`.
void load32Even(uint base, uint f, out uint w[8]) {
    const bool odd = (base & 2u) != 0u;
    uint a[9];
    loadWords9((base + f) >> 2, a);
    [[unroll]] for (uint k = 0u; k < 8u; ++k) {
        w[k] = word0(a[k], a[k + 1u], odd);
    }
}

float loadHalf(uint addr) { return halfToFloat(loadU16(addr)); }

// ---------------------------------------------------------------------------------------
// Plain types: a "unit" is 32 consecutive values; `valid` < 32 only in the last group of a
// range whose length is not a multiple of 32. Loads past the last valid value repeat the
// texel that holds it (so no load leaves the binding), and values past `valid` are 0.
// Dequant binds whole 32-value units, so its groups start at multiples of 16 bytes
// (QS_PLAIN_QUADS, defined by dequant.comp); matvec rows of any length start at any multiple
// of the value size and are read as words.
#if defined(QS_TYPE_F32) || defined(QS_TYPE_F16) || defined(QS_TYPE_BF16)
#define QS_PLAIN_TYPE 1
#endif

#if defined(QS_TYPE_F32)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
#ifdef QS_PLAIN_QUADS
    const uint first = base >> 4;
    const uint last = (base + 4u * valid - 1u) >> 4;
    [[unroll]] for (uint k = 0u; k < 8u; ++k) {
        const uvec4 t = texelFetch(srcQuads, int(min(first + k, last)));
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            v[4u * k + j] = 4u * k + j < valid ? uintBitsToFloat(t[j]) : 0.0;
        }
    }
#else
    const uint first = base >> 2;
    [[unroll]] for (uint i = 0u; i < 32u; ++i) {
        const float x = uintBitsToFloat(srcWord(first + min(i, valid - 1u)));
        v[i] = i < valid ? x : 0.0;
    }
#endif
}
#elif defined(QS_TYPE_F16) || defined(QS_TYPE_BF16)
#if defined(QS_TYPE_F16)
float plainValue(uint h) { return halfToFloat(h); }
#else
float plainValue(uint h) { return uintBitsToFloat(h << 16); }
#endif
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    uint w[16];
#ifdef QS_PLAIN_QUADS
    const uint first = base >> 4;
    const uint last = (base + 2u * valid - 1u) >> 4;
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uvec4 t = texelFetch(srcQuads, int(min(first + k, last)));
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            w[4u * k + j] = t[j];
        }
    }
#else
    // 17 words, shifted by a half word when the group starts at byte 2 of a word.
    const uint first = base >> 2;
    const uint last = (base + 2u * valid - 1u) >> 2;
    const bool odd = (base & 2u) != 0u;
    uint a[17];
    [[unroll]] for (uint k = 0u; k < 17u; ++k) {
        a[k] = srcWord(min(first + k, last));
    }
    [[unroll]] for (uint k = 0u; k < 16u; ++k) {
        w[k] = word0(a[k], a[k + 1u], odd);
    }
#endif
    [[unroll]] for (uint k = 0u; k < 16u; ++k) {
        const float lo = plainValue(w[k] & 0xFFFFu);
        const float hi = plainValue(w[k] >> 16);
        v[2u * k] = 2u * k < valid ? lo : 0.0;
        v[2u * k + 1u] = 2u * k + 1u < valid ? hi : 0.0;
    }
}

// ---------------------------------------------------------------------------------------
// 32-value blocks: value j in the low nibble of byte j, value j + 16 in the high nibble.
// Q4_0, IQ4_NL (18 bytes), Q5_0 (22) and Q8_0 (34) start at any even byte; Q4_1 (20) at a
// multiple of 4, Q5_1 (24) of 8; MXFP4 (17) at any byte.
#elif defined(QS_TYPE_Q4_0) || defined(QS_TYPE_IQ4_NL)
// d at 0, qs at 2 (the same layout in both types).
#if defined(QS_TYPE_Q4_0)
float nibbleValue(uint q, float d) { return float(int(q) - 8) * d; }
#define QS_D Q4_0_D
#define QS_QS Q4_0_QS
#else
float nibbleValue(uint q, float d) { return d * float(codeBookValue(kValuesIQ4NL, q)); }
#define QS_D IQ4_NL_D
#define QS_QS IQ4_NL_QS
#endif
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const uint i = base >> 2;
    const bool odd = (base & 2u) != 0u;
    uint a[9]; // a[0..4]
    loadWords9(i, a);
    const float d = halfToFloat(half0(a[QS_D / 4u], odd));
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint w = word2(a[QS_QS / 4u + k], a[QS_QS / 4u + k + 1u], odd); // qs[4k..4k+3]
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            const uint q = byteOf(w, j);
            v[4u * k + j] = nibbleValue(q & 0xFu, d);
            v[4u * k + j + 16u] = nibbleValue(q >> 4, d);
        }
    }
}
#elif defined(QS_TYPE_Q4_1)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    uint a[9]; // a[0..4]
    loadWords9(base >> 2, a);
    const uint dm = a[Q4_1_D / 4u]; // d, m
    const float d = halfToFloat(dm & 0xFFFFu);
    const float m = halfToFloat(dm >> 16);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint w = a[Q4_1_QS / 4u + k];
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            const uint q = byteOf(w, j);
            precise float lo = float(q & 0xFu) * d + m;
            precise float hi = float(q >> 4) * d + m;
            v[4u * k + j] = lo;
            v[4u * k + j + 16u] = hi;
        }
    }
}
#elif defined(QS_TYPE_Q5_0)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const uint i = base >> 2;
    const bool odd = (base & 2u) != 0u;
    uint a[9]; // a[0..5]
    loadWords9(i, a);
    // d at 0, qh at 2, qs at 6.
    const float d = halfToFloat(half0(a[Q5_0_D / 4u], odd));
    const uint qh = word2(a[Q5_0_QH / 4u], a[Q5_0_QH / 4u + 1u], odd);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint w = word2(a[Q5_0_QS / 4u + k], a[Q5_0_QS / 4u + k + 1u], odd);
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            const uint e = 4u * k + j;
            const uint q = byteOf(w, j);
            const uint h0 = ((qh >> e) << 4) & 0x10u;
            const uint h1 = (qh >> (e + 12u)) & 0x10u;
            v[e] = float(int((q & 0xFu) | h0) - 16) * d;
            v[e + 16u] = float(int((q >> 4) | h1) - 16) * d;
        }
    }
}
#elif defined(QS_TYPE_Q5_1)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    uint a[9]; // a[0..5]
    loadWords9(base >> 2, a);
    const uint dm = a[Q5_1_D / 4u]; // d, m
    const float d = halfToFloat(dm & 0xFFFFu);
    const float m = halfToFloat(dm >> 16);
    const uint qh = a[Q5_1_QH / 4u];
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint w = a[Q5_1_QS / 4u + k];
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            const uint e = 4u * k + j;
            const uint q = byteOf(w, j);
            const uint h0 = ((qh >> e) << 4) & 0x10u;
            const uint h1 = (qh >> (e + 12u)) & 0x10u;
            precise float lo = float((q & 0xFu) | h0) * d + m;
            precise float hi = float((q >> 4) | h1) * d + m;
            v[e] = lo;
            v[e + 16u] = hi;
        }
    }
}
#elif defined(QS_TYPE_Q8_0)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    // 34 bytes: d at 0, qs at 2; 9 words hold them at either half-word alignment.
    const uint i = base >> 2;
    const bool odd = (base & 2u) != 0u;
    uint a[9];
    loadWords9(i, a);
    const float d = halfToFloat(half0(a[Q8_0_D / 4u], odd));
    [[unroll]] for (uint k = 0u; k < 8u; ++k) {
        const int w = int(word2(a[k], a[k + 1u], odd));
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            v[4u * k + j] = float(bitfieldExtract(w, int(8u * j), 8)) * d;
        }
    }
}
#elif defined(QS_TYPE_MXFP4)
// Half of the E8M0 scale, 2^(e-128); e < 2 gives a subnormal float, which devices that flush
// denormals (llvmpipe does) turn into 0: only such all-but-zero blocks can differ from the CPU.
float e8m0Half(uint e) { return uintBitsToFloat(e < 2u ? (0x00200000u << e) : ((e - 1u) << 23)); }

void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    // 17 bytes at any alignment: e at 0, qs at 1..16, all within 5 words.
    const uint i = base >> 2;
    const uint shift = (base & 3u) * 8u;
    uint a[9]; // a[0..4]
    loadWords9(i, a);
    const float d = e8m0Half((a[0] >> shift) & 0xFFu);
    // qs starts `qsShift` bits into a[0], or exactly at a[1].
    const bool qsNext = shift == 24u;
    const uint qsShift = (shift + 8u) & 31u;
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint w = qsNext ? a[k + 1u] : funnel(a[k], a[k + 1u], qsShift);
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            const uint q = byteOf(w, j);
            v[4u * k + j] = float(codeBookValue(kValuesMXFP4, q & 0xFu)) * d;
            v[4u * k + j + 16u] = float(codeBookValue(kValuesMXFP4, q >> 4)) * d;
        }
    }
}

// ---------------------------------------------------------------------------------------
// 256-value super-blocks, decoded one 32-value group (0..7) at a time. The index arithmetic
// restates the CPU loops (quant_kquants.cpp) for the values of one group. Q2_K (84 bytes),
// Q4_K (144), Q5_K (176) and IQ4_XS (136) start at multiples of 4, Q3_K (110), Q6_K (210),
// TQ1_0 (54) and TQ2_0 (66) at even bytes.
#elif defined(QS_TYPE_Q2_K)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const uint i = base >> 2;
    const uint dWord = srcWord(i + Q2_K_D / 4u); // d, then dmin
    const float d = halfToFloat(dWord & 0xFFFFu);
    const float dmin = halfToFloat(dWord >> 16);
    // This group's two scale bytes, 2 * group and 2 * group + 1.
    const uint scales = srcWord(i + Q2_K_SCALES / 4u + (group >> 1)) >> (16u * (group & 1u));
    const uint shift = 2u * (group & 3u);
    uint q[9]; // q[0..7]
    loadWords9(i + Q2_K_QS / 4u + 8u * (group >> 2), q);
    [[unroll]] for (uint half_ = 0u; half_ < 2u; ++half_) {
        const uint sc = byteOf(scales, half_);
        const float dl = d * float(sc & 0xFu);
        const float ml = dmin * float(sc >> 4);
        [[unroll]] for (uint k = 0u; k < 4u; ++k) {
            const uint w = q[4u * half_ + k];
            [[unroll]] for (uint j = 0u; j < 4u; ++j) {
                precise float r = dl * float((byteOf(w, j) >> shift) & 3u) - ml;
                v[16u * half_ + 4u * k + j] = r;
            }
        }
    }
}
#elif defined(QS_TYPE_Q3_K)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const bool odd = (base & 2u) != 0u;
    // scales (12 bytes) and d: 4 words from byte 96.
    uint c[9]; // c[0..3]
    loadWords9((base + Q3_K_SCALES) >> 2, c);
    const uint s0 = word0(c[0], c[1], odd); // scale bytes 0..3
    const uint s1 = word0(c[1], c[2], odd); // 4..7
    const uint s2 = word0(c[2], c[3], odd); // 8..11
    const float dAll = halfToFloat(half0(c[(Q3_K_D - Q3_K_SCALES) / 4u], odd));
    uint q[8];
    uint hmask[8];
    load32Even(base, Q3_K_QS + 32u * (group >> 2), q);
    load32Even(base, Q3_K_HMASK, hmask);
    const uint shift = 2u * (group & 3u);
    [[unroll]] for (uint half_ = 0u; half_ < 2u; ++half_) {
        // Scale j = 2 * group + half_: low 4 bits in byte j & 7 (high nibble for j >= 8), top 2
        // bits in byte 8 + (j & 3) at bit 2 * (j >> 2).
        const uint j = 2u * group + half_;
        const uint lowByte = byteOf((j & 4u) != 0u ? s1 : s0, j & 3u);
        const uint low = j < 8u ? lowByte & 0xFu : lowByte >> 4;
        const uint high = (byteOf(s2, j & 3u) >> (2u * (j >> 2))) & 3u;
        const float dl = dAll * float(int(low | (high << 4)) - 32);
        [[unroll]] for (uint k = 0u; k < 4u; ++k) {
            const uint w = q[4u * half_ + k];
            const uint hm = hmask[4u * half_ + k];
            [[unroll]] for (uint b = 0u; b < 4u; ++b) {
                const int qv = int((byteOf(w, b) >> shift) & 3u) -
                               (((byteOf(hm, b) >> group) & 1u) != 0u ? 0 : 4);
                v[16u * half_ + 4u * k + b] = dl * float(qv);
            }
        }
    }
}
#elif defined(QS_TYPE_Q4_K) || defined(QS_TYPE_Q5_K)
// get_scale_min_k4 for group j from the block's first 16 bytes: d, dmin (x), scales[12] (y, z,
// w), as the Q4_K_/Q5_K_ offsets in types.glsl place them.
void scaleMinK4(uvec4 head, uint j, out uint sc, out uint m) {
    const uint s = 8u * (j & 3u);
    const uint b0 = (head.y >> s) & 0xFFu; // scales[j & 3]
    const uint b4 = (head.z >> s) & 0xFFu; // scales[4 + (j & 3)]
    const uint b8 = (head.w >> s) & 0xFFu; // scales[8 + (j & 3)]
    sc = j < 4u ? b0 & 63u : (b8 & 0xFu) | ((b0 >> 6) << 4);
    m = j < 4u ? b4 & 63u : (b8 >> 4) | ((b4 >> 6) << 4);
}

#if defined(QS_TYPE_Q4_K)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const uvec4 head = loadVec4(base);
    const float d = halfToFloat(head.x & 0xFFFFu);
    const float dmin = halfToFloat(head.x >> 16);
    uint sc, m;
    scaleMinK4(head, group, sc, m);
    const float d1 = d * float(sc);
    const float m1 = dmin * float(m);
    const uint qs = base + Q4_K_QS + 32u * (group >> 1);
    const uint shift = 4u * (group & 1u);
    const uvec4 q[2] = uvec4[2](loadVec4(qs), loadVec4(qs + 16u));
    [[unroll]] for (uint k = 0u; k < 8u; ++k) {
        const uint w = q[k >> 2][k & 3u];
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            precise float r = d1 * float((byteOf(w, j) >> shift) & 0xFu) - m1;
            v[4u * k + j] = r;
        }
    }
}
#else
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const uvec4 head = loadVec4(base);
    const float d = halfToFloat(head.x & 0xFFFFu);
    const float dmin = halfToFloat(head.x >> 16);
    uint sc, m;
    scaleMinK4(head, group, sc, m);
    const float d1 = d * float(sc);
    const float m1 = dmin * float(m);
    const uint qs = base + Q5_K_QS + 32u * (group >> 1);
    const uint shift = 4u * (group & 1u);
    const uvec4 q[2] = uvec4[2](loadVec4(qs), loadVec4(qs + 16u));
    const uvec4 qh[2] = uvec4[2](loadVec4(base + Q5_K_QH), loadVec4(base + Q5_K_QH + 16u));
    [[unroll]] for (uint k = 0u; k < 8u; ++k) {
        const uint w = q[k >> 2][k & 3u];
        const uint h = qh[k >> 2][k & 3u];
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            const uint q = ((byteOf(w, j) >> shift) & 0xFu) + (((byteOf(h, j) >> group) & 1u) << 4);
            precise float r = d1 * float(q) - m1;
            v[4u * k + j] = r;
        }
    }
}
#endif
#elif defined(QS_TYPE_Q6_K)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const float d = loadHalf(base + Q6_K_D);
    const uint h = group >> 2;       // which 128-value half
    const uint quarter = group & 3u; // which 32 values of that half
    const uint lowShift = 4u * (quarter >> 1);
    const uint highShift = 2u * quarter;
    uint low[8];
    uint high[8];
    load32Even(base, Q6_K_QL + 64u * h + 32u * (quarter & 1u), low);
    load32Even(base, Q6_K_QH + 32u * h, high);
    // Scale index is + 2*quarter with is = l/16: the two scales of this group are adjacent.
    const uint scalePair = loadU16(base + Q6_K_SCALES + 8u * h + 2u * quarter);
    [[unroll]] for (uint k = 0u; k < 8u; ++k) {
        const uint wl = low[k];
        const uint wh = high[k];
        const float sc = float(bitfieldExtract(int(scalePair), int(8u * (k >> 2)), 8));
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            const int q = int(((byteOf(wl, j) >> lowShift) & 0xFu) |
                              (((byteOf(wh, j) >> highShift) & 3u) << 4)) -
                          32;
            precise float r = d * sc * float(q);
            v[4u * k + j] = r;
        }
    }
}
#elif defined(QS_TYPE_IQ4_XS)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const uint i = base >> 2;
    uint head[9]; // head[0..1]: d, scales_h, scales_l
    loadWords9(i, head);
    uint qs[9]; // qs[0..3]
    loadWords9(i + IQ4_XS_QS / 4u + 4u * group, qs);
    const float d = halfToFloat(head[IQ4_XS_D / 4u] & 0xFFFFu);
    const uint scalesHigh = head[IQ4_XS_SCALES_H / 4u] >> 16;
    const uint ls =
        ((byteOf(head[IQ4_XS_SCALES_L / 4u], group >> 1) >> (4u * (group & 1u))) & 0xFu) |
        (((scalesHigh >> (2u * group)) & 3u) << 4);
    const float dl = d * float(int(ls) - 32);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint w = qs[k];
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            const uint q = byteOf(w, j);
            v[4u * k + j] = dl * float(codeBookValue(kValuesIQ4NL, q & 0xFu));
            v[4u * k + j + 16u] = dl * float(codeBookValue(kValuesIQ4NL, q >> 4));
        }
    }
}
#elif defined(QS_TYPE_TQ2_0)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const float d = loadHalf(base + TQ2_0_D);
    const uint shift = 2u * (group & 3u);
    uint q[8];
    load32Even(base, TQ2_0_QS + 32u * (group >> 2), q);
    [[unroll]] for (uint k = 0u; k < 8u; ++k) {
        const uint w = q[k];
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            v[4u * k + j] = float(int((byteOf(w, j) >> shift) & 3u) - 1) * d;
        }
    }
}
#elif defined(QS_TYPE_TQ1_0)
// Five trits per byte: multiplying by 3^p (mod 256) brings trit p to the top, *3 >> 8 reads it.
int trit(uint byteValue, uint p) {
    const uint pow3[5] = uint[5](1u, 3u, 9u, 27u, 81u);
    return int((((byteValue * pow3[p]) & 0xFFu) * 3u) >> 8) - 1;
}

// Value order of a block (quant_ternary.cpp): qs[0..31] x 5 trits (values 0..159),
// qs[32..47] x 5 trits (160..239), qh[0..3] x 4 trits (240..255).
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const float d = loadHalf(base + TQ1_0_D);
    [[unroll]] for (uint i = 0u; i < 32u; ++i) {
        uint byteAddr;
        uint p;
        if (group < 5u) {
            byteAddr = TQ1_0_QS + i;
            p = group;
        } else if (group < 7u) {
            byteAddr = TQ1_0_QS + 32u + (i & 15u);
            p = 2u * (group - 5u) + (i >> 4);
        } else if (i < 16u) {
            byteAddr = TQ1_0_QS + 32u + i;
            p = 4u;
        } else {
            byteAddr = TQ1_0_QH + ((i - 16u) & 3u);
            p = (i - 16u) >> 2;
        }
        v[i] = float(trit(loadByte(base + byteAddr), p)) * d;
    }
}
#elif defined(QS_TYPE_IQ2_XXS) || defined(QS_TYPE_IQ2_XS) || defined(QS_TYPE_IQ2_S) ||       \
    defined(QS_TYPE_IQ3_XXS) || defined(QS_TYPE_IQ3_S) || defined(QS_TYPE_IQ1_S) ||             \
    defined(QS_TYPE_IQ1_M)
// ---------------------------------------------------------------------------------------
// i-quants: each 32-value group is 4 (IQ2, IQ1) or 8 (IQ3) code-book entries with a scale, and
// sign bits where the book holds magnitudes. The formulas restate the CPU dequantizers
// (quant_iq2.cpp, quant_iq3.cpp, quant_iq1.cpp) operation by operation. Every block size
// (66, 74, 82, 98, 110, 50 bytes) is even, IQ1_M's (56) a multiple of 4, so fields are read
// as the 32 bits at an even address. The code book (core/quant/iq_grids.h) is the texel
// buffer `codeBook` the entry shader declares, 2 words per entry of the 8-wide books, 1 of the
// 4-wide IQ3 ones: a constant array indexed at run time would be copied into every
// invocation by llvmpipe (seconds per dispatch for the 2048-entry IQ1 book).
#if defined(QS_TYPE_IQ3_XXS) || defined(QS_TYPE_IQ3_S)
#define QS_IQ_GRID_WORDS 1u
#else
#define QS_IQ_GRID_WORDS 2u
#endif

uint gridWord(uint i) { return texelFetch(codeBook, int(i)).x; }

// The 32 bits at an even byte address.
uint loadWordEven(uint addr) {
    const uint i = addr >> 2;
    return funnel(srcWord(i), srcWord(i + 1u), (addr & 3u) * 8u);
}

// Byte k (0..7, or 0..3 for the 4-wide IQ3 books) of code-book entry e, unsigned.
uint gridByte(uint e, uint k) {
    return byteOf(gridWord(QS_IQ_GRID_WORDS * e + (k >> 2)), k & 3u);
}

// ksigns_iq2xs: 7 stored sign bits and an eighth that makes their count even.
uint evenSigns(uint s7) { return s7 | ((uint(bitCount(s7)) & 1u) << 7); }

float signOf(uint signs, uint j) { return ((signs >> j) & 1u) != 0u ? -1.0 : 1.0; }

#if defined(QS_TYPE_IQ2_XXS)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const float d = loadHalf(base + IQ2_XXS_D);
    const uint grids = loadWordEven(base + IQ2_XXS_QS + 8u * group);
    const uint aux = loadWordEven(base + IQ2_XXS_QS + 8u * group + 4u);
    precise float db = d * (0.5 + float(aux >> 28)) * 0.25;
    [[unroll]] for (uint l = 0u; l < 4u; ++l) {
        const uint e = byteOf(grids, l);
        const uint signs = evenSigns((aux >> (7u * l)) & 127u);
        [[unroll]] for (uint j = 0u; j < 8u; ++j) {
            precise float r = db * float(gridByte(e, j)) * signOf(signs, j);
            v[8u * l + j] = r;
        }
    }
}
#elif defined(QS_TYPE_IQ2_XS)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const float d = loadHalf(base + IQ2_XS_D);
    const uint q01 = loadWordEven(base + IQ2_XS_QS + 8u * group);
    const uint q23 = loadWordEven(base + IQ2_XS_QS + 8u * group + 4u);
    const uint sc = loadByte(base + IQ2_XS_SCALES + group);
    precise float db0 = d * (0.5 + float(sc & 0xFu)) * 0.25;
    precise float db1 = d * (0.5 + float(sc >> 4)) * 0.25;
    [[unroll]] for (uint l = 0u; l < 4u; ++l) {
        const uint q = ((l < 2u ? q01 : q23) >> (16u * (l & 1u))) & 0xFFFFu;
        const uint e = q & 511u;
        const uint signs = evenSigns(q >> 9);
        const float db = l < 2u ? db0 : db1;
        [[unroll]] for (uint j = 0u; j < 8u; ++j) {
            precise float r = db * float(gridByte(e, j)) * signOf(signs, j);
            v[8u * l + j] = r;
        }
    }
}
#elif defined(QS_TYPE_IQ2_S)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const float d = loadHalf(base + IQ2_S_D);
    const uint qs = loadWordEven(base + IQ2_S_QS + 4u * group);
    const uint signs4 = loadWordEven(base + IQ2_S_SIGNS + 4u * group);
    const uint qh = loadByte(base + IQ2_S_QH + group);
    const uint sc = loadByte(base + IQ2_S_SCALES + group);
    precise float db0 = d * (0.5 + float(sc & 0xFu)) * 0.25;
    precise float db1 = d * (0.5 + float(sc >> 4)) * 0.25;
    [[unroll]] for (uint l = 0u; l < 4u; ++l) {
        const uint e = byteOf(qs, l) | ((qh << (8u - 2u * l)) & 0x300u);
        const uint signs = byteOf(signs4, l);
        const float dl = l < 2u ? db0 : db1;
        [[unroll]] for (uint j = 0u; j < 8u; ++j) {
            precise float r = dl * float(gridByte(e, j)) * signOf(signs, j);
            v[8u * l + j] = r;
        }
    }
}
#elif defined(QS_TYPE_IQ3_XXS)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const float d = loadHalf(base + IQ3_XXS_D);
    const uint q[2] = uint[2](loadWordEven(base + IQ3_XXS_QS + 8u * group),
                              loadWordEven(base + IQ3_XXS_QS + 8u * group + 4u));
    const uint aux = loadWordEven(base + IQ3_XXS_SCALES_SIGNS + 4u * group);
    precise float db = d * (0.5 + float(aux >> 28)) * 0.5;
    [[unroll]] for (uint l = 0u; l < 4u; ++l) {
        const uint signs = evenSigns((aux >> (7u * l)) & 127u);
        const uint e1 = byteOf(q[l >> 1], 2u * (l & 1u));
        const uint e2 = byteOf(q[l >> 1], 2u * (l & 1u) + 1u);
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            precise float r1 = db * float(gridByte(e1, j)) * signOf(signs, j);
            precise float r2 = db * float(gridByte(e2, j)) * signOf(signs, j + 4u);
            v[8u * l + j] = r1;
            v[8u * l + j + 4u] = r2;
        }
    }
}
#elif defined(QS_TYPE_IQ3_S)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const float d = loadHalf(base + IQ3_S_D);
    const uint q[2] = uint[2](loadWordEven(base + IQ3_S_QS + 8u * group),
                              loadWordEven(base + IQ3_S_QS + 8u * group + 4u));
    const uint qh = loadByte(base + IQ3_S_QH + group);
    const uint signs4 = loadWordEven(base + IQ3_S_SIGNS + 4u * group);
    const uint sc = (loadByte(base + IQ3_S_SCALES + (group >> 1)) >> (4u * (group & 1u))) & 0xFu;
    precise float db = d * float(1u + 2u * sc);
    [[unroll]] for (uint l = 0u; l < 4u; ++l) {
        const uint e1 = byteOf(q[l >> 1], 2u * (l & 1u)) | ((qh << (8u - 2u * l)) & 256u);
        const uint e2 = byteOf(q[l >> 1], 2u * (l & 1u) + 1u) | ((qh << (7u - 2u * l)) & 256u);
        const uint signs = byteOf(signs4, l);
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            precise float r1 = db * float(gridByte(e1, j)) * signOf(signs, j);
            precise float r2 = db * float(gridByte(e2, j)) * signOf(signs, j + 4u);
            v[8u * l + j] = r1;
            v[8u * l + j + 4u] = r2;
        }
    }
}
#elif defined(QS_TYPE_IQ1_S) || defined(QS_TYPE_IQ1_M)
// Entry value k of the IQ1 book: -1, 0 or +1.
float gridValue(uint e, uint k) {
    return float(bitfieldExtract(int(gridWord(2u * e + (k >> 2))), int(8u * (k & 3u)), 8));
}

#if defined(QS_TYPE_IQ1_S)
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    const float d = loadHalf(base + IQ1_S_D);
    const uint qs = loadWordEven(base + IQ1_S_QS + 4u * group);
    const uint qh = loadU16(base + IQ1_S_QH + 2u * group);
    precise float dl = d * float(2u * ((qh >> 12) & 7u) + 1u);
    const float delta = (qh & 0x8000u) != 0u ? -IQ1_DELTA : IQ1_DELTA;
    [[unroll]] for (uint l = 0u; l < 4u; ++l) {
        const uint e = byteOf(qs, l) | (((qh >> (3u * l)) & 7u) << 8);
        [[unroll]] for (uint j = 0u; j < 8u; ++j) {
            precise float r = dl * (gridValue(e, j) + delta);
            v[8u * l + j] = r;
        }
    }
}
#else
void decodeGroup(uint base, uint group, uint valid, out float v[32]) {
    // The block's half-precision scale is spread over the top nibbles of its four scale words.
    const uint s01 = srcWord((base + IQ1_M_SCALES) >> 2);
    const uint s23 = srcWord((base + IQ1_M_SCALES + 4u) >> 2);
    const uint dBits = ((s01 & 0xFFFFu) >> 12) | (((s01 >> 16) >> 8) & 0x00F0u) |
                       (((s23 & 0xFFFFu) >> 4) & 0x0F00u) | ((s23 >> 16) & 0xF000u);
    const float d = halfToFloat(dBits);
    const uint sc = (((group >> 1) == 0u ? s01 : (group >> 1) == 1u ? s01 >> 16
                    : (group >> 1) == 2u ? s23 : s23 >> 16) & 0xFFFFu) >> (6u * (group & 1u));
    precise float dl1 = d * float(2u * (sc & 7u) + 1u);
    precise float dl2 = d * float(2u * ((sc >> 3) & 7u) + 1u);
    const uint qs = srcWord((base + IQ1_M_QS) / 4u + group);
    const uint qh = loadU16(base + IQ1_M_QH + 2u * group);
    [[unroll]] for (uint l = 0u; l < 4u; ++l) {
        const uint h = (qh >> (8u * (l >> 1))) & 0xFFu;
        const uint e = byteOf(qs, l) | ((h << (8u - 4u * (l & 1u))) & 0x700u);
        const float delta = ((h >> (4u * (l & 1u))) & 0x08u) != 0u ? -IQ1_DELTA : IQ1_DELTA;
        const float dl = l < 2u ? dl1 : dl2;
        [[unroll]] for (uint j = 0u; j < 8u; ++j) {
            precise float r = dl * (gridValue(e, j) + delta);
            v[8u * l + j] = r;
        }
    }
}
#endif
#endif
#else
#error "define one QS_TYPE_<name>"
#endif

#endif
