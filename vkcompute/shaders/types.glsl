// Block layouts of the ggml storage types: byte offsets of each field inside one block,
// mirroring core/quant/block_types.h (ggml-common.h). Block sizes and bytes per block are
// not repeated here: the host passes them as specialization constants UNIT_ELEMS and
// UNIT_BYTES, read from core's GgmlTypeInfo table.
#ifndef QS_TYPES_GLSL
#define QS_TYPES_GLSL

// Legacy 32-value blocks.
#define Q4_0_D 0u
#define Q4_0_QS 2u
#define Q4_1_D 0u
#define Q4_1_M 2u
#define Q4_1_QS 4u
#define Q5_0_D 0u
#define Q5_0_QH 2u
#define Q5_0_QS 6u
#define Q5_1_D 0u
#define Q5_1_M 2u
#define Q5_1_QH 4u
#define Q5_1_QS 8u
#define Q8_0_D 0u
#define Q8_0_QS 2u
#define IQ4_NL_D 0u
#define IQ4_NL_QS 2u
#define MXFP4_E 0u
#define MXFP4_QS 1u

// 256-value super-blocks.
#define Q2_K_SCALES 0u
#define Q2_K_QS 16u
#define Q2_K_D 80u
#define Q2_K_DMIN 82u
#define Q3_K_HMASK 0u
#define Q3_K_QS 32u
#define Q3_K_SCALES 96u
#define Q3_K_D 108u
#define Q4_K_D 0u
#define Q4_K_DMIN 2u
#define Q4_K_SCALES 4u
#define Q4_K_QS 16u
#define Q5_K_D 0u
#define Q5_K_DMIN 2u
#define Q5_K_SCALES 4u
#define Q5_K_QH 16u
#define Q5_K_QS 48u
#define Q6_K_QL 0u
#define Q6_K_QH 128u
#define Q6_K_SCALES 192u
#define Q6_K_D 208u
#define IQ4_XS_D 0u
#define IQ4_XS_SCALES_H 2u
#define IQ4_XS_SCALES_L 4u
#define IQ4_XS_QS 8u
#define TQ1_0_QS 0u
#define TQ1_0_QH 48u
#define TQ1_0_D 52u
#define TQ2_0_QS 0u
#define TQ2_0_D 64u
// i-quants (their code books: iq_grids.glsl, generated from core/quant/iq_grids).
#define IQ2_XXS_D 0u
#define IQ2_XXS_QS 2u
#define IQ2_XS_D 0u
#define IQ2_XS_QS 2u
#define IQ2_XS_SCALES 66u
#define IQ2_S_D 0u
#define IQ2_S_QS 2u
#define IQ2_S_SIGNS 34u
#define IQ2_S_QH 66u
#define IQ2_S_SCALES 74u
#define IQ3_XXS_D 0u
#define IQ3_XXS_QS 2u
#define IQ3_XXS_SCALES_SIGNS 66u
#define IQ3_S_D 0u
#define IQ3_S_QS 2u
#define IQ3_S_QH 66u
#define IQ3_S_SIGNS 74u
#define IQ3_S_SCALES 106u
#define IQ1_S_D 0u
#define IQ1_S_QS 2u
#define IQ1_S_QH 34u
#define IQ1_M_QS 0u
#define IQ1_M_QH 32u
#define IQ1_M_SCALES 48u
#define IQ1_DELTA 0.125

// Non-linear 4-bit code books (ggml-common.h kvalues_iq4nl, kvalues_mxfp4), as int8 bytes
// packed little-endian 4 to a word, so that a lookup is ALU work (codeBookValue in
// dequant_funcs.glsl) rather than an indexed array, which llvmpipe reads lane by lane.
// kvalues_iq4nl = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}
const uvec4 kValuesIQ4NL = uvec4(0xBFAD9881u, 0xF6EADDCFu, 0x26190D01u, 0x71594535u);
// kvalues_mxfp4 = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12}
const uvec4 kValuesMXFP4 = uvec4(0x03020100u, 0x0C080604u, 0xFDFEFF00u, 0xF4F8FAFCu);

#endif
