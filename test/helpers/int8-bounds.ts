/**
 * The numeric promises of the int8 encoder (models/encoder/model.int8.onnx, quantized by
 * training/encoder/onnx_int8.py's row-s7 scheme), on L2-normalised pooled vectors. They are budgets the
 * service is held to, not what one machine gave; models/card/encoder.md has the measurements behind them
 * (VNNI and an emulated AVX2 CPU, and the heads' answers on the test split: models/heads/int8-cost.json).
 * The cosine budget holds for every text the card measures: the smallest int8-vs-fp32 cosine over the 5,551
 * texts of the test split and gede is 0.988 (1% of them below 0.996); the integers being the same on every
 * x86-64 CPU, that minimum is the same on AVX2.
 *
 * - INT8_VS_FP32_MIN_COSINE / INT8_VS_FP32_MAX_ABS: how far int8 may move a text's vector from fp32.
 * - neighbours in a batch, and the CPU's instruction set, may move an int8 vector by at most a tenth of
 *   that (INT8_VS_FP32_MAX_ABS / 10): row-s7's integer sums are exact on every x86-64 kernel (no u8s8
 *   pair sum reaches the int16 limit: 2 x 255 x 63 = 32,130 < 32,767) and each token has its own scale,
 *   so only float rounding around the integer products differs, and it can flip at most a few rounding
 *   steps of the activations.
 */
export const INT8_VS_FP32_MIN_COSINE = 0.985;
export const INT8_VS_FP32_MAX_ABS = 2.5e-2;
export const INT8_NEIGHBOUR_MAX_ABS = INT8_VS_FP32_MAX_ABS / 10;
