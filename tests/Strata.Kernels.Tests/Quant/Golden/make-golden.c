// Writes ggml-golden.bin: for each weight type, one weight row and one activation row (with edge cases), and what
// ggml itself makes of them: the weight row through quantize_row_*_ref, the activation row through the ref quantizer of
// the type's vec_dot_type, the quantized weights through dequantize_row_*, and the dot product through the generic
// (non-SIMD) ggml_vec_dot_*_generic. GoldenVectorTests replays the file against Strata.Kernels.Quant.
//
// Build against a llama.cpp checkout R with a built libggml-base (no -march flags, like ggml-base itself):
//   gcc -O2 -std=c11 make-golden.c $R/ggml/src/ggml-cpu/quants.c -I$R/ggml/include -I$R/ggml/src -I$R/ggml/src/ggml-cpu
//     -L$R/build/bin -lggml-base -lm -o make-golden && LD_LIBRARY_PATH=$R/build/bin ./make-golden ggml-golden.bin
//
// Record layout (little-endian): int32 type, int32 activation type, int32 n, float weights[n], float activations[n],
// int32 weight byte count, bytes, int32 activation byte count, bytes, float dequantized[n], float dot.
#define GGML_COMMON_DECL_C
#include "ggml-common.h"
#include "ggml.h"
#include "ggml-quants.h"
#include "ggml-cpu/quants.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// ggml-cpu's fp16 -> fp32 lookup table, which the generic kernels read; ggml_cpu_init fills it the same way.
float ggml_table_f32_f16[1 << 16];

typedef void (*quantize_fn)(const float *, void *, int64_t);
typedef void (*dequantize_fn)(const void *, float *, int64_t);
typedef void (*vec_dot_fn)(int, float *, size_t, const void *, size_t, const void *, size_t, int);

static uint64_t state = 0x9E3779B97F4A7C15ull;

static double uniform(void) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return ((state >> 11) + 0.5) / 9007199254740992.0;
}

static float gaussian(float sigma) {
    return (float)(sigma * sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform()));
}

// Every 32 values switch between: N(0,1), zeros, a constant, small values with one outlier, all positive,
// tiny (fp16-subnormal scales), uniform, and all clearly negative.
static float weight_value(int i) {
    const float scale = i >= 512 ? 0.1f : i >= 256 ? 3.0f : 1.0f;
    switch ((i / 32) % 8) {
        case 0: return scale * gaussian(1);
        case 1: return 0;
        case 2: return scale * 0.7f;
        case 3: return i % 32 == 5 ? scale * 40 : scale * gaussian(0.05f);
        case 4: return scale * (float)(0.5 + uniform());
        case 5: return gaussian(1e-6f);
        case 6: return scale * (float)(2 * uniform() - 1);
        default: return scale * (-3 + gaussian(0.5f));
    }
}

static void write_i32(FILE * f, int32_t v) { fwrite(&v, 4, 1, f); }

static void record(FILE * f, int type, int activation_type, int n, size_t weight_bytes, size_t activation_bytes,
                   quantize_fn quantize_weights, quantize_fn quantize_activations, dequantize_fn dequantize, vec_dot_fn dot) {
    float * w = malloc(n * sizeof(float));
    float * a = malloc(n * sizeof(float));
    float * y = malloc(n * sizeof(float));
    uint8_t * wq = calloc(weight_bytes, 1);
    uint8_t * aq = calloc(activation_bytes, 1);
    for (int i = 0; i < n; i++) w[i] = weight_value(i);
    // The third K super-block of activations is all zero (Q8_K's amax == 0 path).
    for (int i = 0; i < n; i++) a[i] = i >= 512 ? 0 : gaussian(1);
    quantize_weights(w, wq, n);
    quantize_activations(a, aq, n);
    dequantize(wq, y, n);
    float s = 0;
    dot(n, &s, 0, wq, 0, aq, 0, 1);

    write_i32(f, type); write_i32(f, activation_type); write_i32(f, n);
    fwrite(w, sizeof(float), n, f); fwrite(a, sizeof(float), n, f);
    write_i32(f, (int32_t)weight_bytes); fwrite(wq, 1, weight_bytes, f);
    write_i32(f, (int32_t)activation_bytes); fwrite(aq, 1, activation_bytes, f);
    fwrite(y, sizeof(float), n, f); fwrite(&s, sizeof(float), 1, f);
    free(w); free(a); free(y); free(wq); free(aq);
}

#define LEGACY(T, A, N, TYPE, ACTIVATION_TYPE) record(f, TYPE, ACTIVATION_TYPE, N, (N) / 32 * sizeof(block_##T), (N) / 32 * sizeof(block_##A), \
    (quantize_fn)quantize_row_##T##_ref, (quantize_fn)quantize_row_##A##_ref, (dequantize_fn)dequantize_row_##T, \
    (vec_dot_fn)ggml_vec_dot_##T##_##A##_generic)
#define KQUANT(T, N, TYPE) record(f, TYPE, GGML_TYPE_Q8_K, N, (N) / 256 * sizeof(block_##T), (N) / 256 * sizeof(block_q8_K), \
    (quantize_fn)quantize_row_##T##_ref, (quantize_fn)quantize_row_q8_K_ref, (dequantize_fn)dequantize_row_##T, \
    (vec_dot_fn)ggml_vec_dot_##T##_q8_K_generic)

int main(int argc, char ** argv) {
    FILE * f = fopen(argc > 1 ? argv[1] : "ggml-golden.bin", "wb");
    if (!f) return 1;
    for (int i = 0; i < 1 << 16; i++) ggml_table_f32_f16[i] = ggml_fp16_to_fp32((ggml_fp16_t)i);
    LEGACY(q4_0, q8_0, 256, GGML_TYPE_Q4_0, GGML_TYPE_Q8_0);
    LEGACY(q4_1, q8_1, 256, GGML_TYPE_Q4_1, GGML_TYPE_Q8_1);
    LEGACY(q5_0, q8_0, 256, GGML_TYPE_Q5_0, GGML_TYPE_Q8_0);
    LEGACY(q5_1, q8_1, 256, GGML_TYPE_Q5_1, GGML_TYPE_Q8_1);
    LEGACY(q8_0, q8_0, 256, GGML_TYPE_Q8_0, GGML_TYPE_Q8_0);
    KQUANT(q2_K, 768, GGML_TYPE_Q2_K);
    KQUANT(q3_K, 768, GGML_TYPE_Q3_K);
    KQUANT(q4_K, 768, GGML_TYPE_Q4_K);
    KQUANT(q5_K, 768, GGML_TYPE_Q5_K);
    KQUANT(q6_K, 768, GGML_TYPE_Q6_K);
    return fclose(f);
}
