// Decoding of one 32-value group of a storage type into floats, shared by the dequantize and
// matvec entry shaders. The including shader declares `uint srcWords[]` (the packed blocks,
// read as 32-bit words: faster than 8/16-bit storage on lavapipe and needs no device feature)
// and defines exactly one QS_TYPE_<name>.
//
// Bit-exactness with the CPU dequantizers (core/quant/quant_*.cpp) rests on two rules: every
// value is computed with the same operations in the same order, and results are `precise`,
// so no compiler may fuse a multiply and an add into an FMA.
#ifndef QS_DEQUANT_FUNCS_GLSL
#define QS_DEQUANT_FUNCS_GLSL

#extension GL_EXT_control_flow_attributes : require
#include "types.glsl"

uint loadByte(uint addr) { return (srcWords[addr >> 2] >> ((addr & 3u) * 8u)) & 0xFFu; }

// addr must be even: every 16-bit field of every block lies at an even offset.
uint loadU16(uint addr) { return (srcWords[addr >> 2] >> ((addr & 2u) * 8u)) & 0xFFFFu; }

// Runs of 16 or 32 bytes at any alignment, little-endian, as words (blocks of 18, 22, 34 or
// 210 bytes are not 4-byte aligned). An unaligned run costs one extra word load and funnel
// shifts instead of two loads per word: on llvmpipe every buffer access is a per-lane
// gather, so the number of loads sets the speed. Callers pass `aligned` (uniform over the
// dispatch, see kAligned) so aligned formats load each word once.
uint funnel(uint lo, uint hi, uint shift) {
    // (hi << 1) << (31 - shift) is hi << (32 - shift) without a shift by 32 when shift is 0.
    return (lo >> shift) | ((hi << 1) << (31u - shift));
}

void load16Bytes(uint addr, bool aligned, out uint w[4]) {
    const uint i = addr >> 2;
    if (aligned) {
        [[unroll]] for (uint k = 0u; k < 4u; ++k) {
            w[k] = srcWords[i + k];
        }
        return;
    }
    const uint shift = (addr & 3u) * 8u;
    uint a[5];
    [[unroll]] for (uint k = 0u; k < 5u; ++k) {
        a[k] = srcWords[i + k];
    }
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        w[k] = funnel(a[k], a[k + 1u], shift);
    }
}

void load32Bytes(uint addr, bool aligned, out uint w[8]) {
    const uint i = addr >> 2;
    if (aligned) {
        [[unroll]] for (uint k = 0u; k < 8u; ++k) {
            w[k] = srcWords[i + k];
        }
        return;
    }
    const uint shift = (addr & 3u) * 8u;
    uint a[9];
    [[unroll]] for (uint k = 0u; k < 9u; ++k) {
        a[k] = srcWords[i + k];
    }
    [[unroll]] for (uint k = 0u; k < 8u; ++k) {
        w[k] = funnel(a[k], a[k + 1u], shift);
    }
}

// Four bytes at any alignment.
uint load4(uint addr) {
    const uint i = addr >> 2;
    return funnel(srcWords[i], srcWords[i + 1u], (addr & 3u) * 8u);
}

uint byteOf(uint word, uint j) { return (word >> (8u * j)) & 0xFFu; }

// Exact binary16 -> binary32, subnormals included, without relying on the device's 16-bit
// denormal mode (unpackHalf2x16 may flush them). Same algorithm as core/quant/half.h.
float halfToFloat(uint h) {
    const uint sign = (h & 0x8000u) << 16;
    const uint exponent = (h >> 10) & 0x1Fu;
    const uint mantissa = h & 0x3FFu;
    if (exponent == 0x1Fu) {
        return uintBitsToFloat(sign | 0x7F800000u | (mantissa << 13));
    }
    if (exponent == 0u) {
        const float magnitude = float(mantissa) * 5.9604644775390625e-8; // 2^-24
        return sign != 0u ? -magnitude : magnitude;
    }
    return uintBitsToFloat(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

float loadHalf(uint addr) { return halfToFloat(loadU16(addr)); }

// ---------------------------------------------------------------------------------------
// Plain types: a "unit" is 32 consecutive values; `valid` < 32 only in the last group of a
// range whose length is not a multiple of 32. Values past `valid` read nothing and are 0.
#if defined(QS_TYPE_F32) || defined(QS_TYPE_F16) || defined(QS_TYPE_BF16)
#define QS_PLAIN_TYPE 1 // groups may be partial: entry shaders check `valid` per value
#endif

#if defined(QS_TYPE_F32)
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    [[unroll]] for (uint i = 0u; i < 32u; ++i) {
        v[i] = i < valid ? uintBitsToFloat(srcWords[(base >> 2) + i]) : 0.0;
    }
}
#elif defined(QS_TYPE_F16)
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    [[unroll]] for (uint i = 0u; i < 32u; ++i) {
        v[i] = i < valid ? loadHalf(base + 2u * i) : 0.0;
    }
}
#elif defined(QS_TYPE_BF16)
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    [[unroll]] for (uint i = 0u; i < 32u; ++i) {
        v[i] = i < valid ? uintBitsToFloat(loadU16(base + 2u * i) << 16) : 0.0;
    }
}

// ---------------------------------------------------------------------------------------
// 32-value blocks: value j in the low nibble of byte j, value j + 16 in the high nibble.
#elif defined(QS_TYPE_Q4_0)
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    const float d = loadHalf(base + Q4_0_D);
    uint qs[4];
    load16Bytes(base + Q4_0_QS, aligned, qs);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint w = qs[k];
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            const uint q = byteOf(w, j);
            v[4u * k + j] = float(int(q & 0xFu) - 8) * d;
            v[4u * k + j + 16u] = float(int(q >> 4) - 8) * d;
        }
    }
}
#elif defined(QS_TYPE_Q4_1)
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    const float d = loadHalf(base + Q4_1_D);
    const float m = loadHalf(base + Q4_1_M);
    uint qs[4];
    load16Bytes(base + Q4_1_QS, aligned, qs);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint w = qs[k];
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
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    const float d = loadHalf(base + Q5_0_D);
    const uint qh = load4(base + Q5_0_QH);
    uint qs[4];
    load16Bytes(base + Q5_0_QS, aligned, qs);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint w = qs[k];
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
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    const float d = loadHalf(base + Q5_1_D);
    const float m = loadHalf(base + Q5_1_M);
    const uint qh = load4(base + Q5_1_QH);
    uint qs[4];
    load16Bytes(base + Q5_1_QS, aligned, qs);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint w = qs[k];
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
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    const float d = loadHalf(base + Q8_0_D);
    uint qs[8];
    load32Bytes(base + Q8_0_QS, aligned, qs);
    [[unroll]] for (uint k = 0u; k < 8u; ++k) {
        const int w = int(qs[k]);
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            v[4u * k + j] = float(bitfieldExtract(w, int(8u * j), 8)) * d;
        }
    }
}
#elif defined(QS_TYPE_IQ4_NL)
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    const float d = loadHalf(base + IQ4_NL_D);
    uint qs[4];
    load16Bytes(base + IQ4_NL_QS, aligned, qs);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint w = qs[k];
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            const uint q = byteOf(w, j);
            v[4u * k + j] = d * float(kValuesIQ4NL[q & 0xFu]);
            v[4u * k + j + 16u] = d * float(kValuesIQ4NL[q >> 4]);
        }
    }
}
#elif defined(QS_TYPE_MXFP4)
// Half of the E8M0 scale, 2^(e-128); e < 2 gives a subnormal float, which devices that flush
// denormals (llvmpipe does) turn into 0: only such all-but-zero blocks can differ from the CPU.
float e8m0Half(uint e) { return uintBitsToFloat(e < 2u ? (0x00200000u << e) : ((e - 1u) << 23)); }

void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    const float d = e8m0Half(loadByte(base + MXFP4_E));
    uint qs[4];
    load16Bytes(base + MXFP4_QS, aligned, qs);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint w = qs[k];
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            const uint q = byteOf(w, j);
            v[4u * k + j] = float(kValuesMXFP4[q & 0xFu]) * d;
            v[4u * k + j + 16u] = float(kValuesMXFP4[q >> 4]) * d;
        }
    }
}

// ---------------------------------------------------------------------------------------
// 256-value super-blocks, decoded one 32-value group (0..7) at a time. The index arithmetic
// restates the CPU loops (quant_kquants.cpp) for the values of one group.
#elif defined(QS_TYPE_Q2_K)
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    const float d = loadHalf(base + Q2_K_D);
    const float dmin = loadHalf(base + Q2_K_DMIN);
    const uint qs = base + Q2_K_QS + 32u * (group >> 2);
    const uint shift = 2u * (group & 3u);
    uint q[8];
    load32Bytes(qs, aligned, q);
    [[unroll]] for (uint half_ = 0u; half_ < 2u; ++half_) {
        const uint sc = loadByte(base + Q2_K_SCALES + 2u * group + half_);
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
int q3kScale(uint base, uint j) {
    const uint lowByte = loadByte(base + Q3_K_SCALES + (j & 7u));
    const uint low = j < 8u ? lowByte & 0xFu : lowByte >> 4;
    const uint high = (loadByte(base + Q3_K_SCALES + 8u + (j & 3u)) >> (2u * (j >> 2))) & 3u;
    return int(low | (high << 4));
}

void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    const float dAll = loadHalf(base + Q3_K_D);
    const uint qs = base + Q3_K_QS + 32u * (group >> 2);
    const uint shift = 2u * (group & 3u);
    uint q[8];
    uint hmask[8];
    load32Bytes(qs, aligned, q);
    load32Bytes(base + Q3_K_HMASK, aligned, hmask);
    [[unroll]] for (uint half_ = 0u; half_ < 2u; ++half_) {
        const float dl = dAll * float(q3kScale(base, 2u * group + half_) - 32);
        [[unroll]] for (uint k = 0u; k < 4u; ++k) {
            const uint w = q[4u * half_ + k];
            const uint hm = hmask[4u * half_ + k];
            [[unroll]] for (uint j = 0u; j < 4u; ++j) {
                const int q = int((byteOf(w, j) >> shift) & 3u) -
                              (((byteOf(hm, j) >> group) & 1u) != 0u ? 0 : 4);
                v[16u * half_ + 4u * k + j] = dl * float(q);
            }
        }
    }
}
#elif defined(QS_TYPE_Q4_K) || defined(QS_TYPE_Q5_K)
// get_scale_min_k4: 8 six-bit scales and mins packed into 12 bytes at `scales`.
void scaleMinK4(uint scales, uint j, out uint sc, out uint m) {
    if (j < 4u) {
        sc = loadByte(scales + j) & 63u;
        m = loadByte(scales + j + 4u) & 63u;
    } else {
        const uint b = loadByte(scales + j + 4u);
        sc = (b & 0xFu) | ((loadByte(scales + j - 4u) >> 6) << 4);
        m = (b >> 4) | ((loadByte(scales + j) >> 6) << 4);
    }
}

#if defined(QS_TYPE_Q4_K)
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    const float d = loadHalf(base + Q4_K_D);
    const float dmin = loadHalf(base + Q4_K_DMIN);
    uint sc, m;
    scaleMinK4(base + Q4_K_SCALES, group, sc, m);
    const float d1 = d * float(sc);
    const float m1 = dmin * float(m);
    const uint qs = base + Q4_K_QS + 32u * (group >> 1);
    const uint shift = 4u * (group & 1u);
    uint q[8];
    load32Bytes(qs, aligned, q);
    [[unroll]] for (uint k = 0u; k < 8u; ++k) {
        const uint w = q[k];
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            precise float r = d1 * float((byteOf(w, j) >> shift) & 0xFu) - m1;
            v[4u * k + j] = r;
        }
    }
}
#else
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    const float d = loadHalf(base + Q5_K_D);
    const float dmin = loadHalf(base + Q5_K_DMIN);
    uint sc, m;
    scaleMinK4(base + Q5_K_SCALES, group, sc, m);
    const float d1 = d * float(sc);
    const float m1 = dmin * float(m);
    const uint qs = base + Q5_K_QS + 32u * (group >> 1);
    const uint shift = 4u * (group & 1u);
    uint q[8];
    uint qh[8];
    load32Bytes(qs, aligned, q);
    load32Bytes(base + Q5_K_QH, aligned, qh);
    [[unroll]] for (uint k = 0u; k < 8u; ++k) {
        const uint w = q[k];
        const uint h = qh[k];
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            const uint q = ((byteOf(w, j) >> shift) & 0xFu) + (((byteOf(h, j) >> group) & 1u) << 4);
            precise float r = d1 * float(q) - m1;
            v[4u * k + j] = r;
        }
    }
}
#endif
#elif defined(QS_TYPE_Q6_K)
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    const float d = loadHalf(base + Q6_K_D);
    const uint h = group >> 2;       // which 128-value half
    const uint quarter = group & 3u; // which 32 values of that half
    const uint ql = base + Q6_K_QL + 64u * h + 32u * (quarter & 1u);
    const uint qh = base + Q6_K_QH + 32u * h;
    const uint lowShift = 4u * (quarter >> 1);
    const uint highShift = 2u * quarter;
    uint low[8];
    uint high[8];
    load32Bytes(ql, aligned, low);
    load32Bytes(qh, aligned, high);
    [[unroll]] for (uint k = 0u; k < 8u; ++k) {
        const uint wl = low[k];
        const uint wh = high[k];
        // Scale index is + 2*quarter with is = l/16: constant over 16 values.
        const uint scaleByte = loadByte(base + Q6_K_SCALES + 8u * h + (k >> 2) + 2u * quarter);
        const float sc = float(bitfieldExtract(int(scaleByte), 0, 8));
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
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    const float d = loadHalf(base + IQ4_XS_D);
    const uint scalesHigh = loadU16(base + IQ4_XS_SCALES_H);
    const uint ls = ((loadByte(base + IQ4_XS_SCALES_L + (group >> 1)) >> (4u * (group & 1u))) &
                     0xFu) |
                    (((scalesHigh >> (2u * group)) & 3u) << 4);
    const float dl = d * float(int(ls) - 32);
    uint qs[4];
    load16Bytes(base + IQ4_XS_QS + 16u * group, aligned, qs);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint w = qs[k];
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            const uint q = byteOf(w, j);
            v[4u * k + j] = dl * float(kValuesIQ4NL[q & 0xFu]);
            v[4u * k + j + 16u] = dl * float(kValuesIQ4NL[q >> 4]);
        }
    }
}
#elif defined(QS_TYPE_TQ2_0)
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
    const float d = loadHalf(base + TQ2_0_D);
    const uint qs = base + TQ2_0_QS + 32u * (group >> 2);
    const uint shift = 2u * (group & 3u);
    uint q[8];
    load32Bytes(qs, aligned, q);
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
void decodeGroup(uint base, uint group, uint valid, bool aligned, out float v[32]) {
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
#else
#error "define one QS_TYPE_<name>"
#endif

#endif
