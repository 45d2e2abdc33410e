#!/usr/bin/env bash
# Issue 33 item 2 on a lent GPU machine: fine-tunes all-MiniLM-L6-v2 on the roles twice, one run on every training
# set (the candidate to ship) and one without hanna, llmdetect, m4 and seqxgpt (so that their leave-one-source-out
# numbers and gede's stay clean: no encoder weight saw them). Needs only torch + numpy there; the data and weights
# travel as the carried folder that `finetune.py prepare` wrote here (58 MB: weights in float16 parts + pack.npz).
#
#   run tool: command "bash training/encoder/pretrained/device-finetune.sh", carry ["training/.cache/ft/minilm-pack"],
#             timeout_s 600 (two runs of MINUTES each, plus start-up)
#   back here, for each run:
#     python3 training/encoder/pretrained/convert.py WHEEL --state $FILES/all/finetuned --id all-MiniLM-L6-v2-roles --out DIR
#     npx tsx training/train-text.ts --encoder DIR --out HEADS && npx tsx training/eval-text.ts --heads HEADS --encoder DIR
set -euo pipefail
PACK=${PACK:-training/.cache/ft/minilm-pack}
MINUTES=${MINUTES:-3.5}
OUT=${OUT:-/tmp/ft-out}
mkdir -p "$OUT"
nvidia-smi -L || true
python3 -c 'import torch, numpy; print("torch", torch.__version__, "cuda", torch.cuda.is_available(), "numpy", numpy.__version__)'
for run in "all:" "x4:hanna,llmdetect,m4,seqxgpt"; do
  name=${run%%:*}
  exclude=${run#*:}
  python3 training/encoder/pretrained/finetune.py train --pack "$PACK" --out "$OUT/$name" --ckpt-dir "/tmp/ft-ckpt-$name" \
    --exclude-sources "$exclude" --minutes "$MINUTES" --batch 64 --eval-rows 2048 --eval-seconds 40 --ckpt-minutes 1000 \
    2>&1 | tee "$OUT/$name.log" | grep -E "eval|best|done|fit in|Error|error" || true
  # the encoder + its training heads on the validation rows of the held-out sets (clean for the x4 run)
  python3 training/encoder/pretrained/finetune.py train --pack "$PACK" --out "$OUT/$name" --ckpt-dir "/tmp/ft-ckpt-$name" \
    --exclude-sources "$exclude" --resume --probe-sources hanna,llmdetect,m4,seqxgpt --eval-rows 2048 2>&1 | grep probe || true
done
ls -la "$OUT" "$OUT"/*
